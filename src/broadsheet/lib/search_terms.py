"""What a reader typed into a search box, read one way for every database: each word must
appear, "words in quotes" must appear together, and a -word must not appear."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from broadsheet.lib.markdown import QUOTE_MARKS

# More terms than this add cost and rarely find anything the first ones did not.
MAX_TERMS = 12
_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD = re.compile(r"\w+")
_MARKED = re.compile("{}(.*?){}".format(*QUOTE_MARKS), re.DOTALL)

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class SearchTerms:
    wanted: tuple[Phrase, ...]
    unwanted: tuple[Phrase, ...]

    @property
    def words(self) -> list[str]:
        """Every word a match must hold, for marking them in a quoted passage."""
        return [word for phrase in self.wanted for word in phrase]

    def __bool__(self) -> bool:
        return bool(self.wanted)


def parse(text: str) -> SearchTerms:
    """The terms in `text`. Only letters and digits are searched: punctuation splits words,
    as every database's index splits them."""
    wanted: list[Phrase] = []
    unwanted: list[Phrase] = []
    for match in _TERM.finditer(text):
        negated = bool(match.group(1) or match.group(3))
        phrase = tuple(word.casefold() for word in _WORD.findall(match.group(2) or match[4] or ""))
        if phrase and len(wanted) + len(unwanted) < MAX_TERMS:
            (unwanted if negated else wanted).append(phrase)
    return SearchTerms(tuple(wanted), tuple(unwanted))


def quoted(phrase: Phrase) -> str:
    return '"' + " ".join(phrase) + '"'


def marked(passage: str) -> Markup:
    """A passage a database quoted, its matching words between QUOTE_MARKS, as HTML: the text
    escaped, the words in <mark>."""
    html, cursor = Markup(), 0
    for match in _MARKED.finditer(passage):
        html += passage[cursor : match.start()]
        html += Markup("<mark>{}</mark>").format(match[1])
        cursor = match.end()
    return html + passage[cursor:]


def passage_around(text: str, words: Sequence[str], *, length: int = 30) -> str:
    """About `length` words of `text` around the first of `words` it holds (or its opening),
    with every one of `words` between QUOTE_MARKS: for a database that quotes no passages."""
    start, end = QUOTE_MARKS
    wanted = {word.casefold() for word in words}
    tokens = list(_WORD.finditer(text))
    if not tokens:
        return ""
    first = next((i for i, token in enumerate(tokens) if token[0].casefold() in wanted), 0)
    low = max(0, first - length // 3)
    high = min(len(tokens), low + length)
    pieces: list[str] = ["… " if low > 0 else ""]
    cursor = tokens[low].start()
    for token in tokens[low:high]:
        pieces.append(text[cursor : token.start()])
        word = token[0]
        pieces.append(f"{start}{word}{end}" if word.casefold() in wanted else word)
        cursor = token.end()
    pieces.append(" …" if high < len(tokens) else text[cursor:])
    return " ".join("".join(pieces).split())
