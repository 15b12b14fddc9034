#!/usr/bin/env python3
"""Rewrites citations of documents that are not in the repository into citations of its own docs.

Code comments, tests and docs used to cite the product specification, the design notes and the
coding conventions under their draft names ("SPEC 4.1", a design or conventions file with a
section), a digest of the WOI user guide, and the guide under an internal nickname. The repository
now carries that content itself: docs/specification.md, the "Decisions" section of
docs/architecture.md and CONTRIBUTING.md. This script rewrites every such citation in place:

    python3 scripts/rewrite-citations.py [ROOT] [--check]

ROOT defaults to the repository that holds this script. --check lists what would change and
changes nothing (exit 1 when something would). The script is idempotent: a second run changes
nothing. It rewrites the files test/architecture/cited-documents.test.ts scans; that test passes
once the script has run. Citations it cannot map are listed at the end (exit 2).

In code, YAML, JSON and generated Markdown a citation becomes a repository-relative path
(`docs/specification.md §4.1`, `CONTRIBUTING.md#8-workflow-code-is-deterministic`); in
hand-written Markdown it becomes a relative link.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

SCANNED_DIRECTORIES = ["controller", "workflows", "test", "bench", "scripts", "docs", "schemas", "examples", "bin", ".ci"]
SCANNED_ROOT_FILES = ["README.md", "CONTRIBUTING.md", "eslint.config.js", "vitest.config.ts", "tsconfig.json", "package.json"]
SKIPPED_DIRECTORIES = {"node_modules", ".git", ".tools", ".data", "dist", "coverage", ".out"}
EXEMPT = {"test/architecture/cited-documents.test.ts", "scripts/rewrite-citations.py"}
# Generated from schemas and code: they must stay byte-identical to what the generators write
# from the (rewritten) sources, so they get the plain form, like the sources.
GENERATED_MARKDOWN = {"docs/definitions.md", "docs/errors.md"}

ARCHITECTURE = "docs/architecture.md"
CONTRIBUTING = "CONTRIBUTING.md"
SPECIFICATION = "docs/specification.md"

# Design notes, by section, to the docs that carry them now: (file, anchor, link text).
DESIGN_SECTIONS = {
    "1": (ARCHITECTURE, "three-roles-one-state-store", "Three roles, one state store"),
    "2": (CONTRIBUTING, "layout", "Layout"),
    "3": (ARCHITECTURE, "the-temporal-mapping", "The Temporal mapping"),
    "4": (ARCHITECTURE, "one-pipeline-from-source-to-status", "One pipeline from source to status"),
    "5": (ARCHITECTURE, "dependencies", "Dependencies"),
    "6": (ARCHITECTURE, "the-temporal-cli-built-from-the-go-module-proxy", "The Temporal CLI, built from the Go module proxy"),
    "7": (CONTRIBUTING, "testing-tiers", "Testing tiers"),
    "8": (ARCHITECTURE, "performance-budget", "Performance budget"),
}
# Named parts of section 3; other names ("worker", "controller", "api" of section 1) map to their section.
DESIGN_NAMED = {
    ("3", "Jobnet actor"): (ARCHITECTURE, "a-jobnet-actor-not-temporal-schedules", "A jobnet actor, not Temporal Schedules"),
    ("3", "Run"): (ARCHITECTURE, "runs-are-child-workflows", "Runs are child workflows"),
    ("3", "Registry"): (ARCHITECTURE, "the-event-registry", "The event registry"),
    ("3", "Jobs inside a run"): (ARCHITECTURE, "jobs-inside-a-run", "Jobs inside a run"),
}
# Coding conventions, by number, to CONTRIBUTING.md's numbered headings.
CONVENTIONS = {
    "1": "1-folders-follow-the-pipeline",
    "2": "2-the-schema-is-the-format",
    "3": "3-collect-every-problem-then-report",
    "4": "4-every-diagnostic-points-at-its-source",
    "5": "5-errors-decide-control-flow",
    "6": "6-plan-is-a-pure-function",
    "7": "7-status-is-a-contract",
    "8": "8-workflow-code-is-deterministic",
    "9": "9-idempotent-by-construction",
    "10": "10-names-say-what-things-are",
    "11": "11-comments-explain-why",
    "12": "12-tests-are-specifications",
    "13": "13-examples-are-executable",
    "14": "14-small-commits-that-say-why",
}
# Numbered gaps of the WOI user guide digest, said in words.
DIGEST_AMBIGUITIES = {
    "5": "the WOI user guide does not say which Content-Type the example sends",
    "11": "as printed in the WOI user guide",
}

# The patterns of test/architecture/cited-documents.test.ts, to report what is left.
LEFT_OVER = [
    re.compile(r"\b(?:SPEC|DESIGN|CONVENTIONS)(?:\.md)?\b"),
    re.compile(r"\.\./shared/|/work/shared\b"),
    re.compile(r"\b[Ss]eed digest\b"),
    re.compile(r"\b[Ss]eed (?:WOI\b|\d)|\b[Tt]he seed\b|\b[Aa] seed example\b"),
]


def heading_anchor(heading: str) -> str:
    """GitHub's anchor of a heading, as the test computes it."""
    text = re.sub(r"<[^>]*>", "", heading.strip().lower())
    text = "".join(ch for ch in text if ch.isalnum() or ch in " _-")
    return text.replace(" ", "-")


class Specification:
    """Section numbers and rule families of docs/specification.md, for links from Markdown."""

    def __init__(self, root: Path) -> None:
        self.sections: dict[str, str] = {}
        self.families: dict[str, str] = {}
        path = root / SPECIFICATION
        if not path.exists():
            return
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^#{2,4} (.+)$", line)
            if not match:
                continue
            heading = match.group(1)
            number = re.match(r"^(\d+(?:\.\d+)*)\.? ", heading)
            if number:
                self.sections.setdefault(number.group(1), heading_anchor(heading))
            families = re.search(r"\(([^)]*)\)\s*$", heading)
            if families:
                for family in re.findall(r"\bR-[A-Z]+\b(?!-\d)", families.group(1)):
                    self.families.setdefault(family, heading_anchor(heading))

    def rule_anchor(self, rule: str) -> str:
        return rule if re.search(r"-\d", rule) else self.families.get(rule, "")


class Rewriter:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.spec = Specification(root)
        self.applied: dict[tuple[str, str], int] = {}

    # --- how a target is written in a given file ---------------------------------------------

    def markdown(self, file: str) -> bool:
        return file.endswith(".md") and file not in GENERATED_MARKDOWN

    def relative(self, file: str, target: str) -> str:
        if target == file:
            return ""
        return os.path.relpath(target, os.path.dirname(file) or ".").replace(os.sep, "/")

    def reference(self, file: str, target: str, anchor: str, title: str) -> str:
        if self.markdown(file):
            return f"[{title}]({self.relative(file, target)}#{anchor})"
        return f"{target}#{anchor}"

    # --- design notes ----------------------------------------------------------------------------

    def design_item(self, file: str, item: str) -> str:
        tier = re.fullmatch(r"tier (\d+)", item)
        if tier:
            return f"tier {tier.group(1)} of {self.reference(file, *DESIGN_SECTIONS['7'])}"
        match = re.fullmatch(r'§(\d+)(?:[–-](\d+))?(?: "([^"]+)")?(?: tier (\d+))?', item)
        if match is None:
            raise ValueError(item)
        first, last, name, tier_number = match.groups()
        numbers = [str(n) for n in range(int(first), int(last or first) + 1)]
        parts = []
        for number in numbers:
            target = DESIGN_NAMED.get((number, name or "")) or DESIGN_SECTIONS[number]
            part = self.reference(file, *target)
            if tier_number is not None:
                part = f"tier {tier_number} of {part}"
            parts.append(part)
        return ", ".join(parts)

    DESIGN_ITEM = r'§\d+(?:[–-]\d+)?(?: "[^"]+")?(?: tier \d+)?'
    DESIGN_PATTERN = re.compile(r"\bDESIGN(?:\.md)? (" + DESIGN_ITEM + r"(?:, (?:" + DESIGN_ITEM + r"|tier \d+))*)")

    def design(self, file: str, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            items = re.findall(self.DESIGN_ITEM + r"|tier \d+", match.group(1))
            seen: list[str] = []
            for item in items:
                rendered = self.design_item(file, item)
                if rendered not in seen:
                    seen.append(rendered)
            return self.note(match.group(0), ", ".join(seen))

        return self.DESIGN_PATTERN.sub(replace, text)

    # --- conventions ----------------------------------------------------------------------------

    CONVENTIONS_PATTERN = re.compile(r"\bCONVENTIONS(?:\.md)? (§\d+(?:[–-]\d+)?(?:, §\d+(?:[–-]\d+)?)*)")

    def conventions(self, file: str, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            parts = []
            for first, last in re.findall(r"§(\d+)(?:[–-](\d+))?", match.group(1)):
                for number in range(int(first), int(last or first) + 1):
                    anchor = CONVENTIONS[str(number)]
                    title = anchor.split("-", 1)[1].replace("-", " ").capitalize()
                    parts.append(self.reference(file, CONTRIBUTING, anchor, f"{number}. {title}"))
            return self.note(match.group(0), ", ".join(parts))

        return self.CONVENTIONS_PATTERN.sub(replace, text)

    # --- specification --------------------------------------------------------------------------

    SPEC_SECTIONS = re.compile(r"\bSPEC (?:section |§ ?)?(\d+(?:\.\d+)*(?:, (?:§ ?)?\d+(?:\.\d+)*)*)")
    SPEC_RULE = re.compile(r"\bSPEC (R-[A-Z]+(?:-\d+[a-z]?)?)\b")
    SPEC_BARE = re.compile(r"\bSPEC\b(?!\.md)")

    def specification(self, file: str, text: str) -> str:
        def sections(match: re.Match[str]) -> str:
            numbers = re.findall(r"\d+(?:\.\d+)*", match.group(1))
            if self.markdown(file):
                rel = self.relative(file, SPECIFICATION)
                links = [f"[specification §{n}]({rel}#{self.spec.sections.get(n, '')})" for n in numbers]
                return self.note(match.group(0), ", ".join(links))
            return self.note(match.group(0), f"{SPECIFICATION} " + ", ".join(f"§{n}" for n in numbers))

        def rule(match: re.Match[str]) -> str:
            rule_id = match.group(1)
            if self.markdown(file):
                return self.note(match.group(0), f"[{rule_id}]({self.relative(file, SPECIFICATION)}#{self.spec.rule_anchor(rule_id)})")
            return self.note(match.group(0), rule_id)

        def bare(match: re.Match[str]) -> str:
            if self.markdown(file):
                return self.note(match.group(0), f"[the specification]({self.relative(file, SPECIFICATION)})")
            return self.note(match.group(0), SPECIFICATION)

        text = self.SPEC_SECTIONS.sub(sections, text)
        text = self.SPEC_RULE.sub(rule, text)
        # A bare name left over, e.g. "the format and SPEC say"; a file name (SPEC.md) is reported instead.
        return self.SPEC_BARE.sub(bare, text)

    # --- the WOI user guide ---------------------------------------------------------------------

    DIGEST_SECTION = r"seed digest,? §?\d+(?:\.\d+)*"

    def guide(self, file: str, text: str) -> str:
        del file

        def ambiguity(match: re.Match[str]) -> str:
            words = DIGEST_AMBIGUITIES.get(match.group(1), "a gap in the WOI user guide")
            return self.note(match.group(0), f"({words})")

        rules: list[tuple[re.Pattern[str], object]] = [
            # "(8.3.1.1–8.3.1.16,\n * seed digest §4.6) is" → "(8.3.1.1–8.3.1.16)\n * is"
            (re.compile(r",(\s*\n\s*\*) " + self.DIGEST_SECTION + r"\)"), lambda m: self.note(m.group(0), ")" + m.group(1))),
            (re.compile(r"[,;] " + self.DIGEST_SECTION), lambda m: self.note(m.group(0), "")),
            (re.compile(r" \(" + self.DIGEST_SECTION + r"\)"), lambda m: self.note(m.group(0), "")),
            (re.compile(r"\(seed digest, ambiguity (\d+)\)"), ambiguity),
            (re.compile(r"\b[Ss]eed digest\b"), lambda m: self.note(m.group(0), "the WOI user guide")),
            (re.compile(r"\bseed WOI\b"), lambda m: self.note(m.group(0), "WOI")),
            (re.compile(r"\bseed (\d)"), lambda m: self.note(m.group(0), "WOI " + m.group(1))),
            (re.compile(r"\bThe seed\b"), lambda m: self.note(m.group(0), "The WOI user guide")),
            (re.compile(r"\bthe seed\b"), lambda m: self.note(m.group(0), "the WOI user guide")),
            (re.compile(r"\b([Aa]) seed example\b"), lambda m: self.note(m.group(0), m.group(1) + " WOI user guide example")),
        ]
        for pattern, replacement in rules:
            text = pattern.sub(replacement, text)  # type: ignore[arg-type]
        return text

    # --- bookkeeping ----------------------------------------------------------------------------

    def note(self, old: str, new: str) -> str:
        key = (old, new)
        self.applied[key] = self.applied.get(key, 0) + 1
        return new

    def rewrite(self, file: str, text: str) -> str:
        for step in (self.design, self.conventions, self.specification, self.guide):
            text = step(file, text)
        return text


def scanned_files(root: Path) -> list[str]:
    files: list[str] = []

    def walk(directory: str) -> None:
        absolute = root / directory
        if not absolute.is_dir():
            return
        for name in sorted(os.listdir(absolute)):
            if name in SKIPPED_DIRECTORIES:
                continue
            relative = f"{directory}/{name}"
            if (root / relative).is_symlink():
                continue  # fixtures of symbolic links: their targets are read where they live
            if (root / relative).is_dir():
                walk(relative)
            else:
                files.append(relative)

    for directory in SCANNED_DIRECTORIES:
        walk(directory)
    files += [name for name in SCANNED_ROOT_FILES if (root / name).is_file()]
    return [file for file in files if file not in EXEMPT]


def main(argv: list[str]) -> int:
    check = "--check" in argv
    arguments = [argument for argument in argv if argument != "--check"]
    root = Path(arguments[0]).resolve() if arguments else Path(__file__).resolve().parent.parent
    if not (root / SPECIFICATION).is_file():
        print(f"{root} has no {SPECIFICATION}: not the repository root", file=sys.stderr)
        return 2
    rewriter = Rewriter(root)
    changed: list[str] = []
    left: list[str] = []
    for file in scanned_files(root):
        path = root / file
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if "\0" in text:
            continue
        new = rewriter.rewrite(file, text)
        if new != text:
            changed.append(file)
            if not check:
                path.write_text(new, encoding="utf-8")
        for number, line in enumerate(new.splitlines(), start=1):
            for pattern in LEFT_OVER:
                for match in pattern.finditer(line):
                    left.append(f"{file}:{number}: {match.group(0)}")

    verb = "would change" if check else "changed"
    print(f"{verb} {len(changed)} file(s)")
    for file in changed:
        print(f"  {file}")
    if rewriter.applied:
        print("rewrites:")
        for (old, new), count in sorted(rewriter.applied.items()):
            shown_old = old.replace("\n", "\\n")
            shown_new = new.replace("\n", "\\n") or "(removed)"
            print(f"  {count:3d}× {shown_old!r} → {shown_new!r}")
    if left and not check:
        print("not rewritten (map them by hand):", file=sys.stderr)
        for entry in left:
            print(f"  {entry}", file=sys.stderr)
        return 2
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
