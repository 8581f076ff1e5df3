from markupsafe import Markup

from broadsheet.lib.markdown import render


def examples(article, bio, form):
    # ruleid: markup-on-unsanitised-text
    Markup(bio)
    # ruleid: markup-on-unsanitised-text
    Markup(form.get("body", ""))
    # ok: markup-on-unsanitised-text
    Markup(render(form.get("body", "")))
    # ok: markup-on-unsanitised-text
    Markup(article.body_html)
    # ok: markup-on-unsanitised-text
    Markup("<hr>")
