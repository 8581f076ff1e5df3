"""What a story's Markdown becomes: links from bare URLs, footnotes, task lists, heading anchors
and aligned table columns, all through the sanitiser."""

import re

from broadsheet.lib.markdown import render, render_response


def test_bare_urls_become_links_marked_as_user_content():
    html = render("Read https://example.com/guide and www.python.org first.")

    assert (
        '<a href="https://example.com/guide" rel="nofollow ugc noopener">'
        "https://example.com/guide</a>" in html
    )
    assert '<a href="http://www.python.org" rel="nofollow ugc noopener">' in html


def test_a_url_inside_code_stays_text():
    html = render("Run `curl https://example.com` now.")

    assert "<a" not in html


def test_footnotes_link_to_their_notes_and_back():
    html = render("A claim.[^source]\n\n[^source]: Where it comes from.")

    assert re.search(r'<sup class="footnote-ref"><a href="#fn1" id="fnref1"', html)
    assert '<li id="fn1" class="footnote-item">' in html
    assert 'href="#fnref1" class="footnote-backref"' in html
    assert '<section class="footnotes">' in html


def test_task_lists_show_ticked_and_open_boxes_that_cannot_be_changed():
    html = render("- [x] outline\n- [ ] draft")

    boxes = re.findall(r"<input[^>]*>", html)
    assert len(boxes) == 2
    assert all('disabled="disabled"' in box and 'type="checkbox"' in box for box in boxes)
    assert 'checked="checked"' in boxes[0]
    assert "checked" not in boxes[1]


def test_a_task_box_is_labelled_by_its_text():
    html = render("- [x] outline")

    assert re.search(r"<label><input [^>]*> outline</label>", html)


def test_a_code_block_can_be_reached_with_the_keyboard_to_scroll_it():
    for markdown_text in ("```python\nprint(1)\n```", "    indented", "<pre>raw</pre>"):
        assert '<pre tabindex="0">' in render(markdown_text)
    assert 'tabindex="-1"' not in render('<pre tabindex="-1">raw</pre>')


def test_a_table_scrolls_in_a_region_the_keyboard_can_reach():
    html = render("| a | b |\n|---|---|\n| 1 | 2 |")

    assert html.startswith(
        '<div class="table-scroll" role="region" aria-label="Table" tabindex="0"><table>'
    )
    assert html.rstrip().endswith("</table>\n</div>")


def test_a_story_may_not_make_regions_or_tab_stops_of_its_own():
    html = render('<div role="navigation" aria-label="Menu" tabindex="1">raw</div>')

    assert html == "<div>raw</div>"


def test_no_other_input_survives_in_a_story():
    html = render('<input type="password" name="p" value="secret" onfocus="steal()">')

    assert html.count("<input") == 1
    assert 'type="checkbox"' in html
    assert 'disabled="disabled"' in html
    for kept in ("password", "secret", "onfocus", "name="):
        assert kept not in html


def test_headings_carry_ids_to_link_to_one_per_heading():
    html = render("# Day one\n\n## Day one\n\n## Über Käse")

    assert '<h1 id="day-one">Day one</h1>' in html
    assert '<h2 id="day-one-1">Day one</h2>' in html
    assert re.search(r'<h2 id="[^"]+">Über Käse</h2>', html)


def test_table_columns_keep_their_alignment():
    html = render("| left | centre | right |\n|:--|:-:|--:|\n| a | b | c |")

    assert '<th align="left">left</th>' in html
    assert '<th align="center">centre</th>' in html
    assert '<td align="right">c</td>' in html
    assert "style=" not in html


def test_an_image_with_a_title_alone_in_its_paragraph_is_a_captioned_figure():
    html = render('![A loaf](https://example.com/a.png "Rye, after <b>two</b> days")')

    assert html.startswith('<figure><img src="https://example.com/a.png" alt="A loaf"')
    assert "<figcaption>Rye, after &lt;b&gt;two&lt;/b&gt; days</figcaption></figure>" in html
    assert "<p>" not in html


def test_an_image_inside_a_sentence_or_without_a_title_stays_an_image():
    inline = render('Before ![a](https://example.com/a.png "t") after.')
    untitled = render("![a](https://example.com/a.png)")

    assert "<figure>" not in inline + untitled
    assert inline.startswith("<p>Before <img")


UPLOADED = f"https://news.example/media/{'c' * 32}-1200x800.jpg"


def test_an_uploaded_picture_is_offered_as_webp_in_each_width_with_its_size():
    html = render(f"![Gulls]({UPLOADED})").strip()

    srcset = ", ".join(
        f"https://news.example/media/{'c' * 32}-{w}.webp {w}w" for w in (480, 800, 1200)
    )
    assert html == (
        f'<p><img src="{UPLOADED}" alt="Gulls" srcset="{srcset}" '
        'sizes="(min-width: 720px) 680px, 100vw" width="1200" height="800" loading="lazy"></p>'
    )


def test_raw_html_keeps_srcset_sizes_and_loading_only_as_uploads_have_them():
    ours = f"https://news.example/media/{'d' * 32}-480.webp 480w"
    hostile = render(
        '<img src="https://e.example/a.png" srcset="javascript:alert(1) 1w, https://e.example/'
        'b.png 2w" sizes="calc(100vw)" loading="eager">'
    )
    kept = render(f'<img src="https://e.example/a.png" srcset="{ours}" sizes="100vw">')

    assert [name for name in ("srcset", "sizes", "loading") if name in hostile] == []
    assert f'srcset="{ours}" sizes="100vw"' in kept


def test_a_picture_from_elsewhere_is_shown_as_it_is():
    html = render("![Gulls](https://elsewhere.example/gulls.jpg)").strip()

    assert html == '<p><img src="https://elsewhere.example/gulls.jpg" alt="Gulls"></p>'


def test_wide_and_full_width_pictures_are_figures_of_their_layout():
    wide = render(f"![Gulls]({UPLOADED}){{.wide}}")
    full = render(f'![Gulls]({UPLOADED} "At dawn"){{.full}}').strip()

    assert wide.startswith('<figure class="wide"><img ')
    assert 'sizes="(min-width: 1120px) 1080px, 100vw"' in wide
    assert full.startswith('<figure class="full"><img ')
    assert 'sizes="100vw"' in full
    assert full.endswith("<figcaption>At dawn</figcaption></figure>")


def test_only_the_layouts_are_classes_a_story_may_give():
    asked = render("![Gulls](https://e.example/g.jpg){.wide .hidden #top data-x=1}").strip()
    raw = render('<figure class="full banner"><img src="https://e.example/g.jpg"></figure>').strip()

    assert asked == (
        '<figure class="wide"><img src="https://e.example/g.jpg" alt="Gulls"></figure>'
    )
    assert raw == '<figure class="full"><img src="https://e.example/g.jpg"></figure>'


def test_braces_after_anything_but_a_picture_stay_text():
    assert render("A [link](https://e.example){.wide} and {.full}").strip() == (
        '<p>A <a href="https://e.example" rel="nofollow ugc noopener">link</a>{.wide} and '
        "{.full}</p>"
    )


def test_a_response_keeps_emphasis_links_code_quotes_and_lists_and_line_breaks():
    html = render_response(
        "*Yes* and **no**, see https://example.com\nnext line\n\n> quoted\n\n- one\n- two\n\n"
        "```\nx = 1\n```"
    )

    assert "<em>Yes</em> and <strong>no</strong>" in html
    assert '<a href="https://example.com" rel="nofollow ugc noopener">' in html
    assert "<br>\nnext line" in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<ul>\n<li>one</li>" in html
    assert '<pre tabindex="0"><code>x = 1\n</code></pre>' in html


def test_a_response_has_no_headings_pictures_tables_html_or_titles():
    html = render_response(
        "# Big\n\n![a](https://example.com/a.png)\n\n| a |\n|---|\n| b |\n\n"
        '<b onclick="x()">raw</b> [t](https://example.com "a title") [j](javascript:alert(1))'
    )

    tags = set(re.findall(r"<([a-z0-9]+)", html))
    assert tags == {"p", "br", "a"}
    assert 'href="javascript' not in html
    assert "title=" not in html
    assert "# Big" in html
    assert '&lt;b onclick="x()"&gt;raw&lt;/b&gt;' in html
