import Contracts
import EdgeAPI
import EdgeRuntime
import Foundation
import Testing

/// The console's pages hold whatever people and models wrote as text: every such field of a
/// decision set page filled with hostile HTML, template syntax and control characters renders
/// escaped, with this console's own script the only script on the page.
@Suite struct ConsolePageTests {
  static let corpus = [
    "<script>window.__pwned=1</script>", "<img src=x onerror=\"window.__pwned=2\">", "\"><svg onload=alert(1)>",
    "' onmouseover='alert(3)", "{{ project }} {{{raw}}} {{#x}}y{{/x}}", "</textarea></title><!--", "javascript:alert(4)",
    "\u{202E}evil\u{202D} zero\u{200B}width", "&lt;already&gt; &amp; escaped",
  ]

  static func hostileState(_ text: String) -> Mlops_V1_DecisionState {
    .with {
      $0.brief = text
      $0.plan.components = [
        .with {
          $0.id = "serve"
          $0.option = text
          $0.region = text
        }
      ]
      $0.cost = .with {
        $0.monthlyUsd = 100
        $0.breakdown = [
          .with {
            $0.component = text; $0.item = text; $0.unit = text; $0.assumption = text; $0.monthlyUsd = 100
          }
        ]
      }
      $0.policy = .with {
        $0.summary = text
        $0.results = [
          .with {
            $0.ruleID = text; $0.message = text; $0.remedy = text; $0.evidence = [text]; $0.outcome = .warn
          }
        ]
      }
      $0.technicalReview.findings = [
        .with {
          $0.message = text; $0.recommendation = text
        }
      ]
      $0.openQuestions = [
        .with {
          $0.id = "q1"; $0.text = text; $0.why = text; $0.type = .choice
          $0.options = [
            .with {
              $0.value = text; $0.label = text
            }
          ]
        }
      ]
      $0.reasonCards = [
        .with {
          $0.node = "planner"; $0.agent = text; $0.choice = text; $0.rationale = text; $0.risks = [text]
          $0.inputs.summary = text; $0.policySummary = text; $0.costSummary = text
          $0.candidates = [
            .with {
              $0.option = text; $0.reasons = [text]
            }
          ]
        }
      ]
      $0.approval = .with {
        $0.status = .approved; $0.reviewer = text; $0.comment = text
        $0.inlineComments = [
          .with {
            $0.path = text; $0.text = text
          }
        ]
      }
      $0.validation.results = [
        .with {
          $0.tool = text
          $0.findings = [
            .with {
              $0.path = text; $0.line = 3; $0.message = text
            }
          ]
        }
      ]
    }
  }

  @Test(arguments: corpus)
  func everyWrittenFieldRendersAsText(_ text: String) throws {
    let renderer = try ConsoleRenderer.bundled()
    for status in ["waiting_for_answers", "waiting_for_approval", "completed"] {
      var page = ConsolePages.decisionSet(
        .init(
          id: UUID(), projectID: UUID(), projectName: text, version: 2, lockVersion: 1, status: status, role: .admin,
          lastEventID: 0), state: Self.hostileState(text), artifacts: [])
      page["title"] = text
      page["user"] = text
      page["csrf"] = "token"
      let html = try renderer.render("decision_set", page)
      #expect(html.components(separatedBy: "<script").count == 2, "only the console's own script: \(status)")
      #expect(!html.contains("<img"), "\(status)")
      #expect(!html.contains("<svg onload"), "\(status)")
      #expect(!html.contains("onerror=\""), "\(status)")
      #expect(!html.contains("' onmouseover='"), "\(status)")
      #expect(!html.contains("</textarea></title>"), "\(status)")
      if text.contains("{{ project }}") { #expect(html.contains("{{ project }}"), "template syntax stays text") }
      // The escaped text is there, as often as the fields that hold it.
      let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        .replacingOccurrences(of: "'", with: "&#39;")
      #expect(html.components(separatedBy: escaped).count > 5, "\(status)")
    }
  }

  @Test func aUnifiedDiffReadsSideBySide() throws {
    let diff = """
      diff --git a/docs/cost.md b/docs/cost.md
      index 1..2 100644
      --- a/docs/cost.md
      +++ b/docs/cost.md
      @@ -1,4 +1,4 @@
       # Cost
      -Total: $100
      -Lines: 3
      +Total: $300
       same
      diff --git a/new.txt b/new.txt
      new file mode 100644
      --- /dev/null
      +++ b/new.txt
      @@ -0,0 +1 @@
      +hello
      """
    let files = SideBySideDiff.files(diff)
    #expect(files.map { $0["path"] as? String } == ["docs/cost.md", "new.txt"])
    #expect(files.map { $0["status"] as? String } == ["modified", "added"])
    let rows = try #require(files.first?["rows"] as? [[String: String]])
    #expect(
      rows.map { [$0["left"]!, $0["right"]!] } == [
        ["@@ -1,4 +1,4 @@", ""], ["# Cost", "# Cost"], ["Total: $100", "Total: $300"], ["Lines: 3", ""], ["same", "same"],
      ])
    #expect(rows[2]["left_kind"] == "removed" && rows[2]["right_kind"] == "added")
    #expect(rows[3]["right_kind"] == "")
  }
}
