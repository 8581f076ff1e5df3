"""Hostile inputs, each of which calls `__xss(N)` or `alert(N)` if a browser ever runs it.

`CALL` in a shape becomes `__xss(N)`, `ALERT` becomes `alert(N)`, and `B64` becomes the base64
of a script calling `__xss(N)`, where N is the payload's number (its index plus one).
"""

import base64
from dataclasses import dataclass

# Breaking out of the page's own elements: attributes, <title>, <textarea>, JSON-LD, comments.
_BREAKOUT_SHAPES = [
    '"><img src=x onerror=CALL>',
    "'><svg onload=CALL>",
    '" autofocus onfocus="CALL" x="',
    "</title><script>CALL</script>",
    "</textarea><script>CALL</script>",
    "</script><script>CALL</script>",
    "</style><img src=x onerror=CALL>",
    "--><img src=x onerror=CALL><!--",
]
_SHAPES = [
    *_BREAKOUT_SHAPES,
    # Plain script, in every casing and wrapping that filters have missed.
    "<script>CALL</script>",
    "<ScRiPt>ALERT</sCrIpT>",
    "<script src=data:text/javascript,CALL></script>",
    "<<script>CALL//<</script>",
    "<scr<script>ipt>CALL</scr</script>ipt>",
    '<img """><script>CALL</script>">',
    "<![CDATA[<script>CALL</script>]]>",
    '<!--<img src="--><img src=x onerror=CALL//">',
    # Event handlers.
    "<img src=x onerror=CALL>",
    '<img src="x" onerror="ALERT">',
    "<img/src/onerror=CALL>",
    "<svg onload=CALL>",
    "<svg/onload=ALERT>",
    "<body onload=CALL>",
    "<details open ontoggle=CALL>",
    "<input autofocus onfocus=CALL>",
    "<select autofocus onfocus=CALL></select>",
    "<video><source onerror=CALL></video>",
    "<audio src=x onerror=CALL>",
    "<marquee onstart=CALL>x</marquee>",
    "<svg><animate onbegin=CALL attributeName=x dur=1s>",
    "<x onclick=CALL>press</x>",
    '<a href="https://example.invalid/" onmouseover="CALL">hover</a>',
    "<img src=x:x onerror=CALL//",
    # javascript:, vbscript: and data: URLs, in HTML and in Markdown.
    '<a href="javascript:CALL">x</a>',
    '<a href="JaVaScRiPt:ALERT">x</a>',
    '<a href="&#106;avascript:CALL">x</a>',
    '<a href="jav&#x09;ascript:CALL">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;CALL">x</a>',
    '<a href="javascript&colon;CALL">x</a>',
    '<a href="  javascript:CALL">x</a>',
    '<a href="vbscript:CALL">x</a>',
    "[x](javascript:CALL)",
    "[x](JAVASCRIPT:ALERT)",
    "[x](&#106;avascript:CALL)",
    "[x](jav&#x09;ascript:CALL)",
    "[x](javascript&colon;CALL)",
    "[x](<javascript:CALL>)",
    "<javascript:CALL>",
    "[x][evil]\n\n[evil]: javascript:CALL",
    "![x](javascript:CALL)",
    "[x](data:text/html;base64,B64)",
    '<a href="data:text/html,<script>CALL</script>">x</a>',
    '<iframe src="data:text/html;base64,B64"></iframe>',
    '<object data="data:text/html;base64,B64"></object>',
    '<img src="data:image/svg+xml,<svg xmlns=%22http://www.w3.org/2000/svg%22 onload=CALL>">',
    # Frames, objects and documents inside documents.
    '<iframe src="javascript:CALL"></iframe>',
    '<iframe srcdoc="<script>parent.CALL</script>"></iframe>',
    '<embed src="javascript:CALL">',
    '<form action="javascript:CALL"><button>send</button></form>',
    '<button formaction="javascript:CALL">send</button>',
    '<svg><a xlink:href="javascript:CALL"><text x="20" y="20">x</text></a></svg>',
    '<meta http-equiv="refresh" content="0;url=javascript:CALL">',
    '<base href="javascript:CALL//">',
    '<link rel="stylesheet" href="javascript:CALL">',
    '<table background="javascript:CALL"><tr><td>x</td></tr></table>',
    # Mutation XSS: markup that means one thing to a sanitiser and another to the browser.
    "<math><mtext><table><mglyph><style><img src=x onerror=CALL>",
    '<noscript><p title="</noscript><img src=x onerror=CALL>">',
    '<svg></p><style><a id="</style><img src=1 onerror=CALL>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=CALL>",
    '<noembed><img title="</noembed><img src onerror=CALL>"></noembed>',
    '<xmp><p title="</xmp><svg/onload=CALL>">',
    '<textarea><img title="</textarea><img src onerror=CALL>"></textarea>',
    '<title><img title="</title><img src onerror=CALL>"></title>',
    '<iframe><img title="</iframe><img src onerror=CALL>"></iframe>',
    "<svg><style>&lt;img src=x onerror=CALL&gt;</style></svg>",
    # Markdown shapes: code fences, image titles, link titles.
    '```"><img src=x onerror=CALL>\ncode\n```',
    "```html\n<script>CALL</script>\n```",
    '![x](/static/favicon.svg "\\"onerror=\\"CALL")',
    '[x](https://example.invalid/ "\\"onmouseover=\\"CALL")',
    # Styles that once ran script.
    '<div style="width: expression(CALL)">x</div>',
    '<div style="background:url(javascript:CALL)">x</div>',
    "<style>@import 'javascript:CALL';</style>",
    # Template injection: server-side and client-side template syntax.
    "{{7*7}}{{constructor.constructor('CALL')()}}",
    "${7*7}{% raw %}{{ CALL }}",
]

# Profile images must be http(s) URLs; these are URLs that try to break out of the src attribute.
_IMAGE_SHAPES = [
    'https://example.invalid/a.png"onerror="CALL',
    "https://example.invalid/a.png'onerror='CALL",
    'https://example.invalid/"><img/src=x/onerror=CALL>',
    "javascript:CALL",
    "data:image/svg+xml,<svg/onload=CALL>",
]


@dataclass(frozen=True)
class Payload:
    number: int
    text: str


def _fill(shape: str, number: int) -> str:
    script = base64.b64encode(f"<script>parent.__xss({number})</script>".encode()).decode()
    return (
        shape.replace("CALL", f"__xss({number})")
        .replace("ALERT", f"alert({number})")
        .replace("B64", script)
    )


PAYLOADS = [Payload(number, _fill(shape, number)) for number, shape in enumerate(_SHAPES, 1)]
BREAKOUTS = PAYLOADS[: len(_BREAKOUT_SHAPES)]
IMAGE_PAYLOADS = [
    Payload(number, _fill(shape, number))
    for number, shape in enumerate(_IMAGE_SHAPES, len(PAYLOADS) + 1)
]
