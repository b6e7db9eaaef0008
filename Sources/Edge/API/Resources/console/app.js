// Live updates for the decision set page: Reason Cards, status and progress arrive over
// Server-Sent Events on the session's cookie; EventSource resumes after a drop with
// Last-Event-ID by itself. Every text is set with textContent: nothing is parsed as HTML.
"use strict";

function text(tag, value, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = value;
  return node;
}

function cardElement(card) {
  const item = document.createElement("li");
  item.className = "card";
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.appendChild(text("strong", card.node || ""));
  summary.appendChild(document.createTextNode(" · " + (card.agent || "") + ": " + (card.choice || "") + " "));
  summary.appendChild(text("span", "confidence " + Number(card.confidence || 0).toFixed(2), "confidence"));
  details.appendChild(summary);
  const list = document.createElement("dl");
  const add = (term, value) => {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0)) return;
    list.appendChild(text("dt", term));
    const dd = document.createElement("dd");
    if (Array.isArray(value)) {
      const ul = document.createElement("ul");
      value.forEach((entry) => ul.appendChild(text("li", entry)));
      dd.appendChild(ul);
    } else {
      dd.textContent = value;
    }
    list.appendChild(dd);
  };
  add("Inputs", card.inputs && card.inputs.summary);
  add("Rationale", card.rationale);
  add("Candidates", (card.candidates || []).map((c) =>
    (c.option || "") + " (" + Number(c.score || 0).toFixed(2) + ")" + (c.chosen ? " ✓ chosen" : "") +
    ((c.reasons || []).length ? ": " + c.reasons.join("; ") : "")));
  add("Risks", card.risks);
  add("Policy", card.policy_summary);
  add("Cost", card.cost_summary);
  add("Links", (card.links || []).map((link) => (link.rel || "") + ": " + (link.href || "")));
  details.appendChild(list);
  item.appendChild(details);
  return item;
}

function follow(timeline) {
  const state = document.getElementById("live-state");
  const url = timeline.dataset.stream + "?after=" + encodeURIComponent(timeline.dataset.after || "0");
  const source = new EventSource(url);
  source.addEventListener("open", () => { state.textContent = "Following the run live."; });
  source.addEventListener("error", () => { state.textContent = "Connection lost; reconnecting…"; });
  source.addEventListener("reason-card", (event) => {
    const card = JSON.parse(event.data);
    const empty = document.getElementById("no-cards");
    if (empty) empty.remove();
    timeline.appendChild(cardElement(card));
    const step = document.querySelector('.step[data-node="' + CSS.escape(card.node || "") + '"]');
    if (step) step.className = "step step-done";
  });
  const reload = () => { source.close(); window.location.reload(); };
  source.addEventListener("gate-waiting", reload);
  source.addEventListener("run-complete", reload);
  source.addEventListener("run-error", reload);
}

document.addEventListener("DOMContentLoaded", () => {
  const timeline = document.getElementById("timeline");
  const status = document.getElementById("status");
  // A run that has not ended may move on at any time (a worker, or another person answering
  // or approving elsewhere): the page follows it until it stops again.
  const following = ["running", "waiting for answers", "waiting for approval"];
  if (timeline && status && following.includes(status.textContent.trim())) follow(timeline);
});
