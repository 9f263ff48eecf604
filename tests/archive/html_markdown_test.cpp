// A post's HTML as the archive's CommonMark: what is kept, what is left
// out and named, and the notes found in each shape WordPress sites write
// them (and not found where there are none).
#include "html_markdown.hpp"

#include <catch2/catch.hpp>

using defter::archive::html_markdown::convert;
using defter::archive::html_markdown::plain_of_html;

TEST_CASE("a block editor post: headings, quotes, lists, emphasis and links kept", "[html]") {
  auto c = convert(
      "<!-- wp:heading --><h2 class=\"wp-block-heading\">Bilateral Contacts</h2><!-- /wp:heading -->\n"
      "<!-- wp:paragraph --><p>China is <strong>described</strong> as a <em>potential</em> power, "
      "see <a href=\"https://example.org/a b\">the report</a>.</p><!-- /wp:paragraph -->\n"
      "<blockquote><p>Bridges, not blocks.</p><p>Second line.</p></blockquote>\n"
      "<ul><li>Kazakhstan</li><li>Uzbekistan <ul><li>Tashkent</li></ul></li></ul>\n"
      "<ol start=\"3\"><li>third</li><li>fourth</li></ol>\n"
      "<p>Line one\nstill line one</p>",
      false);
  CHECK(c.body ==
        "## Bilateral Contacts\n\n"
        "China is **described** as a *potential* power, see [the report](<https://example.org/a%20b>).\n\n"
        "> Bridges, not blocks.\n>\n> Second line.\n\n"
        "- Kazakhstan\n- Uzbekistan\n  - Tashkent\n\n"
        "3. third\n4. fourth\n\n"
        "Line one still line one");
  CHECK(c.notes.empty());
  CHECK(c.dropped.empty());
}

TEST_CASE("a classic post: blank lines are paragraphs, a line break is kept", "[html]") {
  auto c = convert("First paragraph, <b>bold</b>.\n\nSecond one,\nwith a break.\n\n<p>Third.</p>", true);
  CHECK(c.body == "First paragraph, **bold**.\n\nSecond one,\\\nwith a break.\n\nThird.");
}

TEST_CASE("text that looks like Markdown stays text", "[html]") {
  auto c = convert("<p># not a heading</p><p>1. not a list</p><p>a *star* and _under_ [link](x) &amp;copy; "
                   "&lt;b&gt;</p><p>- dash</p>",
                   false);
  CHECK(c.body ==
        "\\# not a heading\n\n1\\. not a list\n\n"
        "a \\*star\\* and \\_under\\_ \\[link\\](x) \\&copy; \\<b>\n\n\\- dash");
}

TEST_CASE("images, tables, media and their shortcodes are left out and named", "[html]") {
  auto c = convert(
      "<p>Before.</p>[caption id=\"a\" align=\"alignnone\"]<img src=\"/m.png\" alt=\"\"> Map of the "
      "region[/caption]\n<figure class=\"wp-block-image\"><img src=\"/x/chart.png\" alt=\"Trade "
      "chart\"><figcaption>Trade</figcaption></figure>\n"
      "<table><tr><th>Year</th><td>2023</td></tr></table>\n"
      "<p>After <img src=\"/icon.gif\">.</p><iframe src=\"https://video.example/1\"></iframe>"
      "[embed]https://video.example/2[/embed]",
      false);
  CHECK(c.body == "Before.\n\nAfter .");
  REQUIRE(c.dropped.size() == 6);
  CHECK(c.dropped[0] == "image 1 ('Map of the region')");
  CHECK(c.dropped[1] == "embedded media 1 ('https://video.example/2')");
  CHECK(c.dropped[2] == "image 2 ('Trade chart')");
  CHECK(c.dropped[3] == "table 1 ('Year')");
  CHECK(c.dropped[4] == "image 3 ('icon.gif')");
  CHECK(c.dropped[5] == "embedded media 2 (iframe https://video.example/1)");
}

TEST_CASE("media shortcodes: one opened again before it closes, and thousands in a post", "[html]") {
  auto c = convert("<p>[video a][video b]x[/video] y [embed]https://v.example/1[/embed] z</p>", false);
  CHECK(c.body == "y z");
  CHECK(c.dropped == std::vector<std::string>{"embedded media 1 ('https://v.example/1')", "embedded media 2 ([video])",
                                              "embedded media 3 ('x')"});
  // Openings that are never closed: each dropped, and the text after them kept.
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "[gallery ids=\"" + std::to_string(i) + "\"]";
  auto g = convert(many + "<p>kept</p>", false);
  CHECK(g.body == "kept");
  REQUIRE(g.dropped.size() == 20000);
  CHECK(g.dropped.back() == "image 20000 ([gallery])");
}

TEST_CASE("notes pasted from Word: trailing [n] paragraphs the text cites", "[html]") {
  auto c = convert(
      "Kazakhstan will host the summit in 2025<a href=\"#_ftn1\" name=\"_ftnref1\">[1]</a> and more.[2]\n\n"
      "<hr>\n\n"
      "<a href=\"#_ftnref1\" name=\"_ftn1\">[1]</a> “Kazakhstan to host”, AKI Press, "
      "<a href=\"https://akipress.com/news\">AKI</a>, (Date of Accession: 20.05.2023).\n"
      "[2] Ibid.",
      true);
  CHECK(c.body == "Kazakhstan will host the summit in 2025[1] and more.[2]");
  REQUIRE(c.notes.size() == 2);
  CHECK(c.notes[0] ==
        "“Kazakhstan to host”, AKI Press, AKI https://akipress.com/news, (Date of Accession: 20.05.2023).");
  CHECK(c.numbers == std::vector<int>{1, 2});
  CHECK(c.notes[1] == "Ibid.");
}

TEST_CASE("notes after a heading: Kaynakça, References, Примечания, as a list or paragraphs",
          "[html]") {
  auto tr = convert("<p>Metin<sup>1</sup> ve m<sup>2</sup> alan.</p><h3>Kaynakça</h3><ol><li>Birinci kaynak.</li>"
                    "<li>İkinci <a href=\"https://ornek.org/\">kaynak</a>.</li></ol>",
                    false);
  CHECK(tr.body == "Metin[1] ve m[2] alan.");
  CHECK(tr.notes == std::vector<std::string>{"Birinci kaynak.", "İkinci kaynak https://ornek.org/."});

  auto ru = convert("<p>Текст[1].</p><p><strong>Примечания:</strong></p><p>1. Первый.</p><p>2) Второй.</p>", false);
  CHECK(ru.body == "Текст[1].");
  CHECK(ru.numbers == std::vector<int>{1, 2});
  CHECK(ru.notes[1] == "Второй.");

  // A superscript that no note answers is a number (square metres).
  auto area = convert("<p>Area: 40 m<sup>2</sup>.</p>", false);
  CHECK(area.body == "Area: 40 m2.");
}

TEST_CASE("the block editor's footnotes come from the post's meta, numbered as cited", "[html]") {
  auto c = convert(
      "<p>One<sup data-fn=\"b2\" class=\"fn\"><a href=\"#b2\" id=\"b2-link\">1</a></sup> and two"
      "<sup data-fn=\"a1\" class=\"fn\"><a href=\"#a1\" id=\"a1-link\">2</a></sup>.</p>",
      false, {{"a1", "Second <em>source</em>."}, {"b2", "First source, <a href=\"https://x.org/1\">x.org</a>."}});
  CHECK(c.body == "One[1] and two[2].");
  CHECK(c.notes == std::vector<std::string>{"First source, x.org https://x.org/1.", "Second source."});
  CHECK(c.numbers == std::vector<int>{1, 2});
}

TEST_CASE("what is not notes stays in the body", "[html]") {
  // A closing list of numbered points without a notes heading.
  auto points = convert("<p>Three steps follow.</p><p>1. Sign.</p><p>2. Build.</p>", false);
  CHECK(points.notes.empty());
  CHECK(points.body == "Three steps follow.\n\n1\\. Sign.\n\n2\\. Build.");
  // "[1]" paragraphs at the end that the text never cites.
  auto uncited = convert("<p>Plain text.</p><p>[1] a list item written so</p>", false);
  CHECK(uncited.notes.empty());
  // A References heading followed by prose: a section of the article.
  auto prose = convert("<h2>References</h2><p>This section discusses how sources are cited.</p>", false);
  CHECK(prose.notes.empty());
  CHECK(prose.body == "## References\n\nThis section discusses how sources are cited.");
  // A notes heading that is not the last heading.
  auto earlier = convert("<h2>Notes</h2><ol><li>x</li></ol><h2>Conclusion</h2><p>End.</p>", false);
  CHECK(earlier.notes.empty());
}

TEST_CASE("each part of a list is converted once, however deep lists nest", "[html]") {
  // Something other than an item first in a list starts the list's first
  // item. It was once converted together with every sibling after it, which
  // the list then converted again: each level of nesting doubled the text.
  CHECK(convert("<ol><h3>Sources</h3><li>one</li><li>two</li></ol>", false).body == "1. ### Sources\n2. one\n3. two");
  CHECK(convert("<ol><p>a</p><ol><p>b</p><ol><p>c</p><li>x</li></ol></ol></ol>", false).body ==
        "1. a\n   1. b\n      1. c\n      2. x");
  std::string deep;
  for (int i = 0; i < 12; ++i) deep += "<ol><p>level</p>";
  deep += "<li>end</li>";
  std::string body = convert(deep, false).body;
  CHECK(body.find("end") == body.rfind("end"));
  CHECK(body.find("end") != std::string::npos);

  SECTION("a loose list inside a loose list: no spaces at the end of a blank line") {
    CHECK(convert("<ul><li><p>a</p><p>b</p><ul><li><p>c</p><p>d</p></li></ul></li></ul>", false).body ==
          "- a\n\n  b\n  - c\n\n    d");
  }
}

TEST_CASE("code is fenced by one more backtick than its longest run, after its blank lines", "[html]") {
  CHECK(convert("<pre>\n\n\ncode ``` here</pre>", false).body == "````\ncode ``` here\n````");
  CHECK(convert("<p><code>a``b</code> and <code>`x</code></p>", false).body == "```a``b``` and `` `x``");
  std::string run(5000, '`');
  CHECK(convert("<p><code>" + run + "</code></p>", false).body == std::string(5001, '`') + " " + run + std::string(5001, '`'));
}

TEST_CASE("superscripts inside superscripts, many of them, and line breaks in a heading", "[html]") {
  CHECK(convert("<p>Text<sup><sup>1</sup></sup> and m<sup>2</sup>.</p><h3>Notes</h3><ol><li>Source.</li></ol>", false)
            .body == "Text[1] and m2.");
  std::string many = "<p>";
  for (int i = 0; i < 2000; ++i) many += "m<sup>2</sup> ";
  many += "</p>";
  std::string body = convert(many, false).body;
  CHECK(body.size() == 2000 * 3 - 1);
  CHECK(body.substr(0, 9) == "m2 m2 m2 ");
  CHECK(body.find_first_of("\x01\x02") == std::string::npos);
  CHECK(convert("<h2>a<br>b<br>c</h2>", false).body == "## a b c");
}

TEST_CASE("hostile and broken HTML converts without crashing", "[html]") {
  CHECK(convert("", true).body.empty());
  CHECK(convert("<p><b><i>unclosed", false).body == "***unclosed***");
  CHECK(convert("<script>alert(1)</script><style>p{}</style><p>kept</p>", false).body == "kept");
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "<div>";
  deep += "deep";
  // Deeper than libxml2 reads (256): said, not silently short.
  auto too_deep = convert(deep, false);
  CHECK(too_deep.body.empty());
  CHECK(too_deep.error == "Excessive depth in document: 256 use XML_PARSE_HUGE option");
  CHECK(convert("<div><div><p>fine</p></div></div>", false).error.empty());
  CHECK(plain_of_html("Steps &amp; Cooperation &#8211; <i>2023</i>") == "Steps & Cooperation – 2023");
}

TEST_CASE("control characters the converter uses as marks are not taken from the text", "[html]") {
  // U+0001 and U+0002 mark superscript numbers inside the converter.
  auto c = convert("<p>a\x01" "12\x02 b<sup>3</sup> <code>x\x01y</code></p><ol><li>n</li></ol>", false);
  CHECK(c.body.find_first_of("\x01\x02") == std::string::npos);
  CHECK(c.body.find("a12 b3") != std::string::npos);

  SECTION("nor from an attribute: a link's address, an image's text, a note's own text") {
    auto link = convert("<p>see <a href=\"http://x.org/\x02" "a\x01\">the source</a></p>", false);
    CHECK(link.body == "see [the source](http://x.org/a)");
    auto note = convert("<p>x<sup data-fn=\"a\" class=\"fn\"><a href=\"#a\">1</a></sup></p>", false,
                        {{"a", "<a href=\"\x02#b\">Ibid.</a>\x01"}});
    CHECK(note.body.find_first_of("\x01\x02") == std::string::npos);
    REQUIRE(note.notes.size() == 1);
    CHECK(note.notes[0] == "Ibid.");
  }
}
