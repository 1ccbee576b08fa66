"""Language detection on short chat messages: py3langid, lingua and the bot's detector.

The set is tests/data/language_short_messages.yaml (short messages in many languages);
CLINC150's English test questions measure how often English is misread as foreign (each
such message would get "I can only read English and French"). lingua is optional (about
96 MB installed): `pip install lingua-language-detector` to include it.

    python benchmarks/language_detection.py
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.safety.language import (
    MODEL_LANGUAGES,
    READ_LANGUAGES,
    detect_language,
    load_language_model,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
SHORT = REPO_ROOT / "tests" / "data" / "language_short_messages.yaml"
CLINC = REPO_ROOT.parent / "shared" / "bench" / "clinc150" / "data_full.json"
for candidate in (CLINC, Path("/work/shared/bench/clinc150/data_full.json")):
    if candidate.exists():
        CLINC = candidate
        break

Detector = Callable[[str], str]


def langid_plain() -> Detector:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return lambda text: str(identifier.classify(text)[0])


def langid_restricted() -> Detector:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([*MODEL_LANGUAGES, "zh", "pa", "hi", "ur", "ar", "fa", "ko"])
    return lambda text: str(identifier.classify(text)[0])


def lingua_detector() -> Detector | None:
    try:
        from lingua import IsoCode639_1, LanguageDetectorBuilder
    except ImportError:
        return None
    detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def detect(text: str) -> str:
        language = detector.detect_language_of(text)
        if language is None:
            return "und"
        code: IsoCode639_1 = language.iso_code_639_1
        return str(code.name).lower()

    return detect


def ours() -> Detector:
    load_language_model()  # as the bot does at start: the word lists are not timed
    return lambda text: detect_language(text).code


def same(expected: str, got: str) -> bool:
    """Right language; a romanised or Cantonese label also accepts its base language."""
    return (
        got == expected
        or got.split("-")[0] == expected.split("-")[0]
        or (expected == "yue" and got == "zh")
    )


def main() -> None:
    items = yaml.safe_load(SHORT.read_text(encoding="utf-8"))
    clinc: list[str] = []
    if CLINC.exists():
        data = json.loads(CLINC.read_text(encoding="utf-8"))
        clinc = [pair[0] for pair in data["test"]] + [pair[0] for pair in data["oos_test"]]
    detectors: dict[str, Detector | None] = {
        "py3langid (all 97 languages)": langid_plain(),
        "py3langid (restricted)": langid_restricted(),
        "lingua (all languages)": lingua_detector(),
        "bot detector (script + romanised + py3langid)": ours(),
    }
    print(f"{len(items)} short messages; {len(clinc)} CLINC150 English test questions")
    baseline: float | None = None
    for name, detect in detectors.items():
        if detect is None:
            print(f"  {name}: not installed")
            continue
        detect("warm up")
        start = time.perf_counter()
        right = sum(same(item["lang"], detect(item["q"])) for item in items)
        latin = [i for i in items if i["lang"] in MODEL_LANGUAGES or "-" in i["lang"]]
        latin_right = sum(same(item["lang"], detect(item["q"])) for item in latin)
        foreign = sum(detect(text) not in READ_LANGUAGES for text in clinc)
        elapsed = time.perf_counter() - start
        calls = 2 * len(items) + len(clinc)
        per_call = elapsed / max(calls, 1)
        baseline = baseline or per_call
        print(
            f"  {name:<46} right {right}/{len(items)}  Latin-script {latin_right}/{len(latin)}"
            f"  CLINC150 read as not en/fr {foreign}/{len(clinc)}"
            f"  time x{per_call / baseline:.2f} of py3langid"
        )


if __name__ == "__main__":
    main()
