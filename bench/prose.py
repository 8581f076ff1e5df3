"""Deterministic Markdown for benchmark stories: the same seed always writes the same text."""

import random

WORDS = (
    "archive", "article", "attention", "balance", "border", "bridge", "budget", "cable", "camera",
    "canal", "carbon", "city", "climate", "coast", "column", "corner", "council", "craft",
    "current", "data", "debate", "deadline", "desk", "detail", "distance", "draft", "edge",
    "editor", "energy", "engine", "evening", "evidence", "field", "figure", "floor", "forest",
    "frame", "garden", "glass", "grain", "habit", "harbour", "history", "index", "island",
    "journal", "kitchen", "label", "language", "layer", "ledger", "letter", "library", "light",
    "line", "map", "margin", "market", "measure", "memory", "method", "metro", "minute", "model",
    "morning", "motion", "network", "notebook", "number", "ocean", "office", "order", "page",
    "paper", "pattern", "people", "plan", "planet", "platform", "point", "policy", "practice",
    "press", "printer", "process", "program", "question", "queue", "rain", "reader", "record",
    "region", "report", "river", "road", "rule", "sample", "schedule", "school", "season",
    "sentence", "server", "signal", "silence", "sketch", "source", "space", "station", "story",
    "street", "structure", "study", "surface", "system", "table", "teacher", "theory", "thread",
    "tide", "timber", "timeline", "track", "traffic", "train", "transit", "tree", "valley",
    "version", "village", "voice", "water", "weather", "window", "winter", "word", "writer"
)  # fmt: skip
VERBS = (
    "builds", "carries", "changes", "checks", "collects", "counts", "draws", "explains", "finds",
    "follows", "holds", "keeps", "leaves", "measures", "moves", "opens", "prints", "reads",
    "records", "shapes", "shows", "splits", "starts", "tells", "tests", "turns", "writes"
)  # fmt: skip
ADJECTIVES = (
    "ancient", "bright", "careful", "clear", "common", "complex", "curious", "early", "exact",
    "familiar", "fragile", "gentle", "hidden", "large", "late", "local", "modest", "narrow",
    "natural", "open", "patient", "plain", "public", "quiet", "rare", "recent", "simple", "slow",
    "small", "steady", "strange", "sudden", "useful", "warm", "wide"
)  # fmt: skip
TAGS = (
    "architecture", "astronomy", "baking", "biology", "books", "cities", "climate", "code",
    "databases", "design", "economics", "editing", "education", "energy", "food", "gardening",
    "history", "journalism", "language", "maps", "music", "oceans", "photography", "physics",
    "privacy", "science", "security", "transit", "travel", "weather", "writing"
)  # fmt: skip

CODE = '''def {name}(rows, limit={limit}):
    """Keep the {adjective} rows, newest first."""
    kept = [row for row in rows if row.{field} >= {threshold}]
    kept.sort(key=lambda row: row.created_at, reverse=True)
    return kept[:limit]
'''


def seeded(seed: str) -> random.Random:
    """A generator for text, not secrets: the same seed gives the same words."""
    return random.Random(seed)  # noqa: S311


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(ADJECTIVES), rng.choice(WORDS), rng.choice(VERBS), "the"]
    words += [
        rng.choice(ADJECTIVES if rng.random() < 0.3 else WORDS) for _ in range(rng.randint(4, 12))
    ]
    text = " ".join(words)
    if rng.random() < 0.15:
        text += f", as the *{rng.choice(WORDS)}* {rng.choice(VERBS)} the {rng.choice(WORDS)}"
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random) -> str:
    sentences = [_sentence(rng) for _ in range(rng.randint(4, 6))]
    if rng.random() < 0.2:
        word = rng.choice(WORDS)
        sentences.append(f"See [the {word} notes](https://example.com/{word}) for more.")
    return " ".join(sentences)


def title(seed: int) -> str:
    rng = seeded(f"title-{seed}")
    text = f"The {rng.choice(ADJECTIVES)} {rng.choice(WORDS)} and the {rng.choice(WORDS)}"
    return f"{text[0].upper()}{text[1:]} {seed}"


def description(seed: int) -> str:
    return _sentence(seeded(f"description-{seed}"))


def body(seed: int, *, words: int = 1500) -> str:
    """A story of about `words` words: paragraphs under headings, a list and a code block."""
    rng = seeded(f"body-{seed}")
    blocks = [_paragraph(rng), _paragraph(rng)]
    count = sum(len(block.split()) for block in blocks)
    section = 0
    while count < words:
        section += 1
        heading = f"## {rng.choice(ADJECTIVES).title()} {rng.choice(WORDS)}s"
        section_blocks = [heading, _paragraph(rng), _paragraph(rng)]
        if section == 2:
            code = CODE.format(
                name=f"{rng.choice(ADJECTIVES)}_{rng.choice(WORDS)}s",
                limit=rng.randint(5, 50),
                adjective=rng.choice(ADJECTIVES),
                field=rng.choice(WORDS),
                threshold=rng.randint(1, 100),
            )
            section_blocks.append(f"```python\n{code}```")
        if section == 3:
            section_blocks.append("\n".join(f"- {_sentence(rng)}" for _ in range(4)))
        if section % 2:
            section_blocks.append(f"> {_sentence(rng)}")
        blocks += section_blocks
        count += sum(len(block.split()) for block in section_blocks)
    return "\n\n".join(blocks) + "\n"


def comment(seed: int) -> str:
    rng = seeded(f"comment-{seed}")
    return " ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))


def tags_for(seed: int, *, available: int) -> list[str]:
    """One to four tags; the first tags are the most used, as on a real site."""
    rng = seeded(f"tags-{seed}")
    names = TAGS[:available]
    weights = [1 / (rank + 1) for rank in range(len(names))]
    chosen = rng.choices(names, weights=weights, k=rng.randint(1, 4))
    return list(dict.fromkeys(chosen))
