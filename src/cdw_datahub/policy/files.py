"""Where the steward-owned files live: the one place that spells their names.

glossary_files(glossary_dir)                 # glossary/*.yml, in name order
glossary_dir / GLOSSARY_FILE                 # glossary/business_glossary.yml, the usual one
dictionary_files(glossary_dir)               # glossary/dictionary/*.yml, in name order
dictionary_file(glossary_dir, "w2w")         # glossary/dictionary/w2w.yml
policies_dir / REVIEWED_FILE                 # policies/reviewed.yml
"""

from __future__ import annotations

from pathlib import Path

GLOSSARY_FILE = "business_glossary.yml"  # the usual name; every glossary/*.yml is read
DICTIONARY_DIR = "dictionary"
CLASSIFICATION_FILE = "classification.yml"
REVIEWED_FILE = "reviewed.yml"
STATUTES_FILE = "statutes.yml"
DETECTION_FILE = "detection.yml"
RUBRIC_FILE = "rubric.yml"
RECEIVING_FILE = "receiving.yml"
YAML_SUFFIXES = (".yml", ".yaml")


def glossary_files(glossary_dir: Path) -> list[Path]:
    """The business glossary files of a glossary folder (every *.yml directly in it, one per
    program or domain, say), in name order: the order they are read."""
    folder = Path(glossary_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file())


def dictionary_files(glossary_dir: Path) -> list[Path]:
    """The field dictionaries of a glossary folder, one per program, in name order."""
    folder = Path(glossary_dir) / DICTIONARY_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in YAML_SUFFIXES)


def dictionary_file(glossary_dir: Path, program_id: str) -> Path:
    """Where a program's dictionary is (its file is named after the program id)."""
    return Path(glossary_dir) / DICTIONARY_DIR / f"{program_id}.yml"
