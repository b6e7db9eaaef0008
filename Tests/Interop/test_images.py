"""The platform's images (deploy/Dockerfile), built with buildah from a Debian that debootstrap
makes here (no container registry is reachable from this repository's machines), and judged
by what matters: the Codegen image validates a generated bundle exactly as the laptop does.

The two stages that need the Internet beyond Debian and PyPI are given as prebuilt folders
(`--build-context`): the platform binary this test run built, with the Swift runtime it links,
and this machine's terraform with its provider mirror. Everything else (Debian packages, the
pinned validators from PyPI, the user, the paths) is built as the Dockerfile says. When buildah
or debootstrap is missing, or cannot build here, the test says so and is skipped, never
passed."""

import json
import os
import pathlib
import shutil
import subprocess

import pytest

from conftest import ROOT, mlops_binary

MIRROR = "http://deb.debian.org/debian"


def _run(*command, timeout=1800, **kwargs):
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=timeout,
                          check=False, **kwargs)


def _swift_libraries(binary: str) -> list[pathlib.Path]:
    """The shared libraries the binary finds through its Swift runtime path (not Debian's)."""
    linked = _run("ldd", binary, timeout=60).stdout
    return [pathlib.Path(line.split("=>")[1].split("(")[0].strip()) for line in linked.splitlines()
            if "=>" in line and "/swift/" in line]


def _ca_secret() -> list[str]:
    """This machine's CA bundle for pip inside the build, for when PyPI is reached through a
    proxy that this machine trusts and a fresh Debian does not."""
    bundle = pathlib.Path("/etc/ssl/certs/ca-certificates.crt")
    return ["--secret", f"id=ca-certificates,src={bundle}"] if bundle.is_file() else []


class Buildah:
    def __init__(self, root: pathlib.Path):
        self.base = ["buildah", "--storage-driver", "vfs", "--root", root / "storage", "--runroot", root / "run"]

    def __call__(self, *arguments, timeout=1800):
        result = _run(*self.base, *arguments, timeout=timeout, env=dict(os.environ, BUILDAH_ISOLATION="chroot"))
        return result


@pytest.fixture(scope="module")
def codegen_image(tmp_path_factory):
    for tool in ("buildah", "debootstrap"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (scripts/bootstrap installs it as root): the images were not built")
    work = tmp_path_factory.mktemp("images")
    buildah = Buildah(work)

    rootfs = work / "debian"
    made = _run("debootstrap", "--variant=minbase", "bookworm", rootfs, MIRROR, timeout=900)
    if made.returncode != 0:
        pytest.skip(f"debootstrap could not make a Debian here, so no image was built:\n{made.stderr[-2000:]}")
    container = buildah("from", "scratch").stdout.strip()
    copied = buildah("copy", container, f"{rootfs}/", "/")
    committed = buildah("commit", "--rm", container, "localhost/mlops-debian:bookworm")
    if copied.returncode != 0 or committed.returncode != 0:
        pytest.skip(f"buildah cannot make images here:\n{copied.stderr[-1500:]}{committed.stderr[-1500:]}")
    shutil.rmtree(rootfs, ignore_errors=True)

    binary = mlops_binary()
    dist = work / "mlops-dist" / "out" / "usr" / "local" / "bin"
    dist.mkdir(parents=True)
    shutil.copy2(binary, dist / "mlops")
    for resources in pathlib.Path(binary).parent.glob("*.resources"):
        shutil.copytree(resources, dist / resources.name)
    for library in _swift_libraries(binary):
        shutil.copy2(library, dist / library.name)

    terraform = work / "terraform-dist" / "out"
    (terraform / "usr" / "local" / "bin").mkdir(parents=True)
    shutil.copy2(shutil.which("terraform"), terraform / "usr" / "local" / "bin" / "terraform")
    mirror = pathlib.Path(os.environ.get("TF_PLUGIN_DIR") or "/opt/tf-plugins")
    shutil.copytree(mirror, terraform / "opt" / "tf-plugins")

    built = buildah("bud", "--isolation", "chroot", "--layers=false", "-f", ROOT / "deploy" / "Dockerfile",
                    "--target", "codegen", "--build-arg", "DEBIAN=localhost/mlops-debian:bookworm",
                    "--build-context", f"mlops-dist={work / 'mlops-dist'}",
                    "--build-context", f"terraform-dist={work / 'terraform-dist'}",
                    *_ca_secret(), "-t", "localhost/mlops-codegen:test", ROOT, timeout=2400)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    shutil.rmtree(work / "mlops-dist")
    shutil.rmtree(work / "terraform-dist")
    return buildah


def _bundle() -> pathlib.Path:
    out = os.environ.get("MLOPS_CODEGEN_OUT")
    path = pathlib.Path(out or "/nonexistent") / "churn-postgres"
    if not (path / "infra" / "terraform" / "main.tf").is_file():
        pytest.fail(f"no generated bundle at {path}: run scripts/test, which writes them (MLOPS_CODEGEN_OUT)")
    return path


def _outcomes(report: dict) -> dict[str, str]:
    return {result["tool"]: result["outcome"] for result in report["results"]}


def test_the_codegen_image_runs_as_its_user_with_every_validator_on_its_paths(codegen_image):
    inspected = json.loads(codegen_image("inspect", "--type", "image", "localhost/mlops-codegen:test").stdout)
    config = inspected["OCIv1"]["config"]
    assert config["User"] == "mlops"
    assert config["Entrypoint"] == ["mlops"] and config["Cmd"] == ["codegen"]
    environment = dict(item.split("=", 1) for item in config["Env"])
    assert environment["MLOPS_TOOLS_DIR"] == "/opt/mlops-tools/bin" and environment["TF_PLUGIN_DIR"] == "/opt/tf-plugins"


def test_the_codegen_image_validates_a_bundle_exactly_as_the_laptop_does(codegen_image, tmp_path):
    bundle = _bundle()
    laptop = _run(mlops_binary(), "validate", bundle, timeout=1800,
                  env=dict(os.environ, MLOPS_DATA_DIR=str(tmp_path / "laptop")))
    laptop_report = json.loads(laptop.stdout)

    container = codegen_image("from", "localhost/mlops-codegen:test").stdout.strip()
    try:
        assert codegen_image("copy", "--chown", "mlops:mlops", container, f"{bundle}/", "/var/lib/mlops/bundle").returncode == 0
        # The laptop's pip settings (a proxy's CA, an index) go with it: the validators build
        # the bundle's own venv from PyPI in both places.
        for setting in [pathlib.Path("/etc/pip.conf"), pathlib.Path("/etc/ssl/certs/ca-certificates.crt")]:
            if setting.is_file():
                assert codegen_image("copy", container, setting, setting).returncode == 0
        ran = codegen_image("run", "--isolation", "chroot", "--user", "mlops", container, "--",
                            "mlops", "validate", "/var/lib/mlops/bundle", timeout=1800)
    finally:
        codegen_image("rm", container)
    image_report = json.loads(ran.stdout or "{}")
    assert image_report, ran.stderr[-4000:]

    assert _outcomes(image_report) == _outcomes(laptop_report), json.dumps(image_report, indent=1)[-6000:]
    skipped = [tool for tool, outcome in _outcomes(image_report).items() if outcome != "VALIDATOR_OUTCOME_PASS"]
    assert not skipped, f"validators that did not pass in the image: {skipped}\n{json.dumps(image_report)[-4000:]}"
    assert image_report["complete"] is True
    # What isolation the tools had is the report's to say, in either place (a container
    # that cannot make namespaces runs them without bubblewrap, and says so).
    print(f"sandbox on the laptop: {laptop_report['sandbox']}\nsandbox in the image: {image_report['sandbox']}")
    assert image_report["sandbox"].startswith(("bubblewrap:", "NOT isolated"))
