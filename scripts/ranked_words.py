"""Generate the safety screen's shipped word lists (`bot/safety/ranked_words.json`).

The language check reads the most frequent French, Spanish, Italian, Portuguese and German
words of pyspellchecker's lists (`bot.safety.language`). Reading and sorting those whole
lists took about a second of every start, so the words it uses ship ranked with the bot.
Run this again after upgrading pyspellchecker or changing how many words a language counts
(a test fails until you do):

    python scripts/ranked_words.py [--check]

`--check` exits 1 when the committed file differs from what the installed lists give.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.safety import language

OUT = Path(language.__file__).with_name(language.RANKED_WORDS_FILE)
# How many words of each language the language check reads.
COUNTS = {
    "fr": language.FRENCH_VOCABULARY,
    **dict.fromkeys(language.FOREIGN_LANGUAGES, language.FOREIGN_VOCABULARY),
}


def render() -> str:
    """The file's text: each language's words, most frequent first, one per line."""
    ranked = {code: language.ranked_in_word_list(code, n) for code, n in COUNTS.items()}
    return json.dumps(ranked, ensure_ascii=False, indent=0) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) the word lists; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date; run scripts/ranked_words.py", file=sys.stderr)
            return 1
        print(f"{OUT} matches the installed word lists")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: " + ", ".join(f"{code} {n}" for code, n in COUNTS.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
