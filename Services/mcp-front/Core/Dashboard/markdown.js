// A small Markdown renderer for design.md (headings, paragraphs, lists, tables, emphasis,
// code, links and images), so the dashboard needs no CDN or build step. Input is escaped
// first; only the markup below becomes HTML.
(function () {
  "use strict";
  function escape(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  // Only http(s) and relative links become links: design.md carries names taken from the
  // scene, and a `javascript:` or `data:` URL there would run in the dashboard's origin.
  function safeURL(url) {
    var raw = url.replace(/&amp;/g, "&");
    if (/^https?:\/\//i.test(raw)) return true;
    return !/^[a-z][a-z0-9+.\-]*:/i.test(raw) && !/^\/\//.test(raw) && !/^[\s\x00-\x1f]/.test(raw);
  }
  function inline(text, base) {
    return escape(text)
      .replace(/`([^`]+)`/g, "<code>$1</code>")
      .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, function (all, alt, src) {
        return safeURL(src) ? '<img alt="' + alt + '" src="' + base(src) + '">' : all;
      })
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, function (all, label, href) {
        return safeURL(href) ? '<a href="' + href + '" rel="noopener noreferrer">' + label + "</a>" : all;
      })
      .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
      .replace(/\*([^*]+)\*/g, "<em>$1</em>")
      .replace(/(^|\s)_([^_]+)_(?=\s|$|[.,;:])/g, "$1<em>$2</em>")
      .replace(/\\([\\`\[\]()|!]|&lt;|&gt;)/g, "$1");  // escaped punctuation shows as itself
  }
  // A cell boundary is a pipe that is not backslash-escaped (design.md escapes names).
  function cells(row) {
    return row.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/).map(function (c) { return c.trim(); });
  }
  function render(source, base) {
    base = base || function (src) { return src; };
    var lines = source.replace(/\r\n/g, "\n").split("\n");
    var out = [], i = 0;
    while (i < lines.length) {
      var line = lines[i];
      if (/^```/.test(line)) {
        var code = [];
        for (i++; i < lines.length && !/^```/.test(lines[i]); i++) code.push(escape(lines[i]));
        out.push("<pre><code>" + code.join("\n") + "</code></pre>");
        i++;
      } else if (/^#{1,6} /.test(line)) {
        var level = line.match(/^#+/)[0].length;
        out.push("<h" + level + ">" + inline(line.slice(level + 1), base) + "</h" + level + ">");
        i++;
      } else if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1])) {
        var head = cells(line).map(function (c) { return "<th>" + inline(c, base) + "</th>"; }).join("");
        var rows = [];
        for (i += 2; i < lines.length && /^\s*\|/.test(lines[i]); i++) {
          rows.push("<tr>" + cells(lines[i]).map(function (c) { return "<td>" + inline(c, base) + "</td>"; }).join("") + "</tr>");
        }
        out.push("<table><thead><tr>" + head + "</tr></thead><tbody>" + rows.join("") + "</tbody></table>");
      } else if (/^\s*([-*]|\d+\.) /.test(line)) {
        var ordered = /^\s*\d+\./.test(line), items = [];
        for (; i < lines.length && /^\s*([-*]|\d+\.) /.test(lines[i]); i++) {
          items.push("<li>" + inline(lines[i].replace(/^\s*([-*]|\d+\.) /, ""), base) + "</li>");
        }
        out.push((ordered ? "<ol>" : "<ul>") + items.join("") + (ordered ? "</ol>" : "</ul>"));
      } else if (line.trim() === "") {
        i++;
      } else {
        var para = [lines[i++]];  // at least this line, so the loop always advances
        for (; i < lines.length && lines[i].trim() !== "" && !/^(#{1,6} |```|\s*\||\s*([-*]|\d+\.) )/.test(lines[i]); i++) para.push(lines[i]);
        out.push("<p>" + inline(para.join(" "), base) + "</p>");
      }
    }
    return out.join("\n");
  }
  window.renderMarkdown = render;
})();
