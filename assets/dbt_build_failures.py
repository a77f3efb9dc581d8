"""What a failed ``dbt build`` left undone, read from its run_results.json, in words an operator
can act on: which models or tests failed and why, and which were skipped because of them.

dbt builds everything a failure does not feed, so the datamart step still yields those models;
this is the failure it raises afterwards, so the run says plainly what was not built.
"""

from __future__ import annotations

from dataclasses import dataclass

FAILED_STATUSES = ("error", "fail", "runtime error")


@dataclass(frozen=True)
class NodeFailure:
    """One dbt node that failed: its name, kind and dbt's message (the database error)."""

    name: str
    kind: str
    message: str


@dataclass(frozen=True)
class BuildFailures:
    """Failures in build order; the models (and snapshots, seeds) skipped because of them by
    name; the skipped tests only counted, as they follow their model."""

    failed: list[NodeFailure]
    skipped: list[str]
    skipped_tests: int

    def __bool__(self) -> bool:
        return bool(self.failed or self.skipped or self.skipped_tests)

    def description(self) -> str:
        lines = [f"dbt build failed for {_count(len(self.failed), 'node')}:"]
        lines += [f"  {node.kind} {node.name}: {node.message}" for node in self.failed]
        if self.skipped or self.skipped_tests:
            names = "".join(f"\n  {name}" for name in self.skipped)
            tests = _count(self.skipped_tests, "test")
            lines.append(f"Not built this run because of it ({tests} skipped too):{names}")
        return "\n".join(lines)


def build_failures(run_results: dict) -> BuildFailures:
    """The failed and skipped nodes of one dbt invocation."""
    failed, skipped, skipped_tests = [], [], 0
    for result in run_results.get("results", []):
        kind, name = _kind_and_name(result["unique_id"])
        if result["status"] in FAILED_STATUSES:
            failed.append(NodeFailure(name, kind, _one_line(result.get("message"))))
        elif result["status"] == "skipped" and kind in ("test", "unit_test"):
            skipped_tests += 1
        elif result["status"] == "skipped":
            skipped.append(name)
    return BuildFailures(failed, sorted(skipped), skipped_tests)


def _kind_and_name(unique_id: str) -> tuple[str, str]:
    """``model.touchpoint.dim_vehicles`` → (model, dim_vehicles); tests drop their hash."""
    kind, _, rest = unique_id.split(".", 2)
    name = rest.rsplit(".", 1)[0] if kind == "test" and "." in rest else rest
    return kind, name


def _one_line(message: str | None) -> str:
    """dbt's message spans lines (error, hint, compiled path): one line for a console."""
    return " ".join((message or "no message").split())


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
