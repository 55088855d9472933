"""Training from checked-in config files: read configs/<model>.toml ([model] and [training] sections),
apply `--set key=value` overrides, validate both against the trainer's dataclasses, and record the
applied config (train_config.json) and one JSON line per epoch (train_log.jsonl) next to the artifact.

The shipped config.json files stay what serving reads; these two files say how the weights were made.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import time
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from engine.config import ROOT
from engine.errors import TrainingConfigError

CONFIG_DIR = ROOT / "configs"
APPLIED_FILE = "train_config.json"
LOG_FILE = "train_log.jsonl"
SECTIONS = ("model", "training")


@dataclass(frozen=True)
class Schema:
    """What a trainer accepts: its training dataclass, and the tunable fields of its model dataclass
    (the sizes the data decides, such as the vocabulary, are not tunable)."""
    training: type
    model: type
    model_keys: tuple[str, ...]

    def fields(self, section: str) -> dict[str, object]:
        """{key: type} for one section."""
        cls = self.training if section == "training" else self.model
        hints = typing.get_type_hints(cls)
        keep = None if section == "training" else set(self.model_keys)
        return {f.name: hints[f.name] for f in dataclasses.fields(cls)
                if (keep is None or f.name in keep) and f.name != "model_options"}


@dataclass
class AppliedConfig:
    """The config a run trained with: the file, the overrides, and every resulting value."""
    name: str
    source: str
    overrides: list[str]
    model: dict
    training: object  # an instance of the schema's training dataclass

    def to_dict(self) -> dict:
        training = {k: v for k, v in dataclasses.asdict(self.training).items() if k != "model_options"}
        return {"config_file": self.source, "overrides": self.overrides, "model": self.model, "training": training}

    def write(self, directory: Path) -> Path:
        path = Path(directory) / APPLIED_FILE
        path.write_text(json.dumps(self.to_dict(), indent=2))
        return path


def config_path(name: str) -> Path:
    return CONFIG_DIR / f"{name}.toml"


def load(name: str, schema: Schema, overrides: list[str] = (), path: Path | None = None) -> AppliedConfig:
    """Read the config file (default configs/<name>.toml), apply `key=value` overrides, validate."""
    path = Path(path) if path else config_path(name)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TrainingConfigError(f"{path}: no such config file.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TrainingConfigError(f"{path}: not valid TOML ({exc}).") from exc
    extra = set(raw) - set(SECTIONS)
    if extra:
        raise TrainingConfigError(f"{path}: unknown section(s) {', '.join(sorted(extra))}; "
                                  f"a training config has [model] and [training].")
    values = {section: dict(raw.get(section, {})) for section in SECTIONS}
    for section in SECTIONS:
        for key, value in values[section].items():
            values[section][key] = _checked(schema, section, key, value, f"{path} [{section}]")
    for item in overrides:
        section, key, value = _parse_override(schema, item)
        values[section][key] = _checked(schema, section, key, value, f"--set {item}")
    training = schema.training(**values["training"])
    model = {**_model_defaults(schema), **values["model"]}
    return AppliedConfig(name, _shown(path), list(overrides), model, training)


def valid_keys(schema: Schema) -> str:
    return "; ".join(f"{section}: " + ", ".join(f"{k} ({_type_name(t)})" for k, t in schema.fields(section).items())
                     for section in SECTIONS)


def _model_defaults(schema: Schema) -> dict:
    out = {}
    for f in dataclasses.fields(schema.model):
        if f.name in schema.model_keys:
            out[f.name] = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
    return out


def _parse_override(schema: Schema, item: str) -> tuple[str, str, object]:
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise TrainingConfigError(f"--set {item}: expected KEY=VALUE (e.g. --set lr=3e-4). "
                                  f"Valid keys: {valid_keys(schema)}.")
    section, dot, name = key.rpartition(".")
    if dot and section not in SECTIONS:
        raise TrainingConfigError(f"--set {item}: unknown section {section!r}. Valid keys: {valid_keys(schema)}.")
    if not dot:
        found = [s for s in SECTIONS if name in schema.fields(s)]
        if len(found) > 1:
            raise TrainingConfigError(f"--set {item}: {name} is in both sections; write model.{name} or training.{name}.")
        section = found[0] if found else "training"
    try:
        value = tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = text.strip()  # a bare word: a string, checked against the field's type below
    return section, name, value


def _checked(schema: Schema, section: str, key: str, value, where: str):
    fields = schema.fields(section)
    if key not in fields:
        raise TrainingConfigError(f"{where}: unknown key {key!r}. Valid keys: {valid_keys(schema)}.")
    kind = fields[key]
    ok, value = _coerce(kind, value)
    if not ok:
        raise TrainingConfigError(f"{where}: {key} must be {_type_name(kind)}, not {value!r}. "
                                  f"Valid keys: {valid_keys(schema)}.")
    wrong = _out_of_range(key, value)
    if wrong:
        raise TrainingConfigError(f"{where}: {key} must be {wrong}, not {value!r}.")
    return value


# What a value may be beyond its type, by what the name says it is: a share (a dropout, a cut of a timeline,
# a weight fused in) lies in [0, 1]; a size, count, rate or step must be above 0; nothing is NaN or infinite
# or negative. So `lr=nan`, `members=-3` or `dropout=5.0` is refused before a run starts.
SHARES = re.compile(r"dropout|^drop_|_share$|_targets$|^cuts$|cooccurrence$")
POSITIVE = {"lr", "learning_rate", "members", "batch_size", "batch", "max_epochs", "steps", "max_iter", "folds",
            "temperature", "negatives", "negatives_per_positive", "max_leaf_nodes", "min_samples_leaf",
            "max_per_artist", "patience", "search_k", "hidden", "encoder", "output_dim"}


def _out_of_range(key: str, value) -> str:
    """What the value must be, when it is not; '' when it is fine."""
    numbers = value if isinstance(value, list) else [value]
    numbers = [v for v in numbers if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if any(not math.isfinite(v) for v in numbers):
        return "a finite number"
    if SHARES.search(key) and any(not 0 <= v <= 1 for v in numbers):
        return "between 0 and 1"
    if (key in POSITIVE or key.endswith(("_proj", "_dim"))) and any(v <= 0 for v in numbers):
        return "above 0"
    if any(v < 0 for v in numbers):
        return "0 or more"
    return ""


def _coerce(kind, value) -> tuple[bool, object]:
    args = typing.get_args(kind)
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        if type(None) in args and isinstance(value, str) and value.lower() in ("none", "null"):
            return True, None
        for inner in (a for a in args if a is not type(None)):
            ok, out = _coerce(inner, value)
            if ok:
                return True, out
        return False, value
    origin = typing.get_origin(kind) or kind
    if origin is bool:
        return isinstance(value, bool), value
    if origin is int:
        return isinstance(value, int) and not isinstance(value, bool), value
    if origin is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return ok, float(value) if ok else value
    if origin is list:
        if not isinstance(value, list):
            return False, value
        inner = args[0] if args else object
        coerced = [_coerce(inner, v) if inner is not object else (True, v) for v in value]
        return all(ok for ok, _ in coerced), [v for _, v in coerced]
    if origin is str:
        return isinstance(value, str), value
    return isinstance(value, origin), value


def _type_name(kind) -> str:
    return str(kind).replace("typing.", "").replace("<class '", "").replace("'>", "")


def _shown(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


@dataclass
class EpochLog:
    """One record per epoch (or per block of steps): losses, validation metrics, seconds since the start.
    Kept in memory and written beside the artifact when it is saved, so a failed run leaves no half log."""
    records: list[dict] = field(default_factory=list)
    started: float = field(default_factory=time.time)

    def __call__(self, **record) -> None:
        record = {k: (round(v, 6) if isinstance(v, float) else v) for k, v in record.items()}
        self.records.append({**record, "seconds": round(time.time() - self.started, 2)})

    def write(self, directory: Path) -> Path:
        """Written whole or not at all (a temporary file renamed over the old log): a reader never sees half."""
        path = Path(directory) / LOG_FILE
        partial = path.with_name(f".{LOG_FILE}.{os.getpid()}.partial")
        partial.write_text("".join(json.dumps(r) + "\n" for r in self.records))
        os.replace(partial, path)
        return path


def read_log(directory: Path) -> list[dict] | None:
    """The per-epoch records beside an artifact, or None where no log was shipped. A line that is not a
    record (a log cut off by a crash while an older version wrote it) is left out, never a crash for the
    Models page."""
    path = Path(directory) / LOG_FILE
    if not path.exists():
        return None
    records = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line) if line.strip() else None
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records
