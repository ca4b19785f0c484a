/* site-builder embed widget: <script src=".../embed.js" defer></script> <publication-list></publication-list>
   Reads papers.json beside this script. Builds DOM with textContent and attribute setters only; the
   build-time-sanitized abstracts are re-checked node by node. No dependencies. */
(function () {
  "use strict";
  if (window.customElements === undefined || customElements.get("publication-list")) return;
  var script = document.currentScript;
  var base = new URL(".", script && script.src ? script.src : location.href);
  var loads = {};
  function load(url) {
    if (!loads[url]) {
      loads[url] = fetch(url, { cache: "no-cache", credentials: "omit" }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      });
    }
    return loads[url];
  }
  // theme="auto" (the default) takes the host page's text colour and font, on the host's own background: it
  // reads wherever the host's text reads. theme="light" / "dark" paint their own opaque box. The host can set
  // --publist-fg, --publist-muted, --publist-accent, --publist-bg, --publist-font on the element, and style
  // --publist-badge-fg, --publist-badge-bg, and style ::part(list | heading | item | title | badge | authors | meta |
  // links | link | abstract | status). Badges and buttons take the text colour (or the venue's own colour with
  // black or white on it, whichever reads): they read wherever the list's text does.
  var CSS =
    ":host{display:block}" +
    ".r{display:block;font:var(--publist-font,inherit);font-size:inherit;line-height:1.5;text-align:left;" +
    "color:var(--publist-fg,var(--fg));background:var(--publist-bg,var(--bg));--fg:inherit;--bg:transparent;" +
    "--mu:var(--publist-muted,inherit);--ac:var(--publist-accent,inherit)}" +
    ".light{--fg:#1d232b;--bg:#ffffff;--mu:var(--publist-muted,#525c69);--ac:var(--publist-accent,#1f5fbf);color-scheme:light;padding:.5em 1em}" +
    ".dark{--fg:#e6e9ed;--bg:#14181d;--mu:var(--publist-muted,#a3adb9);--ac:var(--publist-accent,#7fb0ff);color-scheme:dark;padding:.5em 1em}" +
    "h3{font-size:1.05em;margin:1em 0 .3em;color:inherit}ul{list-style:none;margin:0;padding:0}" +
    "li{margin:0 0 .8em;padding:0;font-size:1em}a{color:var(--ac)}" +
    ".t{font-weight:600;color:inherit}.auto .t{text-decoration:underline;text-decoration-thickness:1px}" +
    ".m,.st{color:var(--mu);font-size:.9em}.auto .m,.auto .st{opacity:.85}.ab{font-size:.93em;margin:.3em 0 0}" +
    ".ab p{margin:.3em 0}.nm{white-space:nowrap}" +
    ".bd{display:inline-block;margin-left:.45em;padding:0 .4em;border:1px solid;border-radius:4px;font-size:.75em;" +
    "font-weight:700;line-height:1.5;white-space:nowrap;vertical-align:.1em;color:var(--publist-badge-fg,inherit);" +
    "background:var(--publist-badge-bg,transparent)}" +
    ".lk{display:flex;flex-wrap:wrap;gap:.35em;margin:.3em 0 0}.lk a,.lk span{display:inline-block;padding:0 .5em;" +
    "border:1px solid;border-radius:4px;font-size:.85em;line-height:1.6;text-decoration:none;white-space:nowrap}" +
    ".lk a:hover{text-decoration:underline}.lk span{border-color:transparent;font-style:italic;padding:0}" +
    "math{font-size:1em}";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function showDate(iso) {  // as the site's lists show it, at the precision the record gives: 2024, Jun 2024, Jun 24, 2024
    var m = /^(\d{4})(?:-(\d\d)(?:-(\d\d))?)?/.exec(String(iso || ""));
    if (!m) return String(iso || "");
    if (!m[2]) return m[1];
    var month = MONTHS[parseInt(m[2], 10) - 1] || m[2];
    return m[3] ? month + " " + parseInt(m[3], 10) + ", " + m[1] : month + " " + m[1];
  }
  // The meta line as the site's lists write it: "NeurIPS 2025 (Spotlight) · Dec 1, 2025 · Machine Learning".
  function metaLine(p) {
    var v = p.venue || {}, meta = [];
    if (v.line) meta.push(v.line + (v.note ? " (" + v.note + ")" : ""));
    meta.push(showDate(p.date));
    if (p.category) meta.push(p.category.name || p.category.code);
    if (p.affiliation) meta.push(p.affiliation);
    return meta.join(" · ");
  }
  // The row of buttons in the site's order (papers.json gives it; an older file has only its links).
  function buttons(p) {
    return p.buttons || Object.keys(p.links || {}).map(function (k) { return { kind: k, label: k, url: p.links[k] }; });
  }
  var SAFE = /^(p|em|strong|code|sub|sup|br|a|math|mrow|mi|mo|mn|ms|mtext|mspace|msub|msup|msubsup|mfrac|msqrt|mroot|mstyle|mover|munder|munderover|mtable|mtr|mtd|menclose|mpadded|mphantom|semantics|annotation)$/;
  var ATTRS = /^(href|display|mathvariant|stretchy|fence|separator|lspace|rspace|width|accent|accentunder)$/;
  var MATHML = "http://www.w3.org/1998/Math/MathML";
  function safeUrl(u) {
    try { var p = new URL(u, base).protocol; return p === "http:" || p === "https:" || p === "mailto:"; }
    catch (e) { return false; }
  }
  function copyNodes(from, to, noLinks) {
    for (var n = from.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 3) { to.appendChild(document.createTextNode(n.nodeValue)); continue; }
      if (n.nodeType !== 1) continue;
      var tag = n.localName;
      if (!SAFE.test(tag) || (noLinks && tag === "a")) { copyNodes(n, to, noLinks); continue; }
      var el = n.namespaceURI === MATHML ? document.createElementNS(MATHML, tag) : document.createElement(tag);
      for (var i = 0; i < n.attributes.length; i++) {
        var a = n.attributes[i];
        if (!ATTRS.test(a.name) || (a.name === "href" && !safeUrl(a.value))) continue;
        el.setAttribute(a.name, a.value);
      }
      if (tag === "a") { el.setAttribute("rel", "noopener"); el.setAttribute("target", "_top"); }
      copyNodes(n, el, noLinks);
      to.appendChild(el);
    }
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function link(href, text, cls) {
    var a = el("a", cls, text);
    if (safeUrl(href)) { a.href = new URL(href, base).href; a.rel = "noopener"; a.target = "_top"; }
    return a;
  }
  function pick(papers, o) {
    var out = papers.filter(function (p) {
      if (o.tag) {
        var t = o.tag.toLowerCase();
        var names = (p.tags || []).concat(p.category ? [p.category.code] : []);
        if (!names.some(function (n) { return String(n).toLowerCase() === t; })) return false;
      }
      if (o.year && String(p.year) !== o.year) return false;
      if (o.author) {
        var a = o.author.toLowerCase();
        if (!p.authors.some(function (n) { return n.toLowerCase().indexOf(a) !== -1; })) return false;
      }
      return true;
    });
    if (o.sort === "oldest") out.reverse();
    else if (o.sort === "title") out.sort(function (x, y) { return x.title.localeCompare(y.title); });
    var n = parseInt(o.limit, 10);
    return n > 0 ? out.slice(0, n) : out;
  }
  function item(p, o) {
    var li = el("li");
    li.setAttribute("part", "item");
    var title = li.appendChild(link(p.url, p.title, "t"));
    title.setAttribute("part", "title");
    if (p.title_html) {  // math as MathML: the build-time-sanitized title, re-checked node by node, no links inside
      title.textContent = "";
      var parsed = new DOMParser().parseFromString("<p>" + p.title_html + "</p>", "text/html");
      copyNodes(parsed.body.firstChild, title, true);
    }
    var v = p.venue || {};
    if (v.badge) {  // the venue badge, as on the site: the venue's colour (with readable ink) when it has one
      var badge = li.appendChild(el("span", "bd", v.badge));
      badge.setAttribute("part", "badge");
      if (v.color && v.ink) { badge.style.background = v.color; badge.style.color = v.ink; badge.style.borderColor = v.color; }
    }
    var by = el("div", "a");
    by.setAttribute("part", "authors");
    var hl = o.highlight ? o.highlight.toLowerCase() : null;
    p.authors.forEach(function (name, i) {
      if (i) by.appendChild(document.createTextNode(", "));
      var bold = hl ? name.toLowerCase() === hl : !!(p.owner && p.owner[i]);
      by.appendChild(el(bold ? "strong" : "span", "nm", name));
    });
    if (p.et_al) by.appendChild(document.createTextNode(" et al."));
    li.appendChild(by);
    li.appendChild(el("div", "m", metaLine(p))).setAttribute("part", "meta");
    var row = buttons(p);
    if (row.length || p.code_released) {
      var lk = el("div", "lk");
      lk.setAttribute("part", "links");
      row.forEach(function (b) { lk.appendChild(link(b.url, b.label, "b-" + b.kind)).setAttribute("part", "link"); });
      if (p.code_released) lk.appendChild(el("span", null, "Code released"));
      li.appendChild(lk);
    }
    if (o.abstracts && p.abstract_html) {
      var doc = new DOMParser().parseFromString(p.abstract_html, "text/html");
      var ab = el("div", "ab");
      ab.setAttribute("part", "abstract");
      copyNodes(doc.body, ab);
      li.appendChild(ab);
    }
    return li;
  }
  var ATTRIBUTES = ["tag", "year", "author", "limit", "sort", "group-by", "show-abstracts", "theme", "highlight"];
  function PublicationList() { return Reflect.construct(HTMLElement, [], PublicationList); }
  PublicationList.prototype = Object.create(HTMLElement.prototype);
  PublicationList.prototype.constructor = PublicationList;
  Object.setPrototypeOf(PublicationList, HTMLElement);
  Object.defineProperty(PublicationList, "observedAttributes", { get: function () { return ATTRIBUTES; } });
  PublicationList.prototype.connectedCallback = function () {
    if (!this.shadowRoot) {
      var root = this.attachShadow({ mode: "open" });
      var style = el("style");
      style.textContent = CSS;
      root.appendChild(style);
      this._box = el("div", "r");
      root.appendChild(this._box);
      this._box.appendChild(document.createElement("slot"));  // the fallback children show meanwhile
      this._box.appendChild(el("p", "st", "Loading publications…"));
    }
    this._render();
  };
  PublicationList.prototype.attributeChangedCallback = function () { if (this.shadowRoot) this._render(); };
  PublicationList.prototype._render = function () {
    var self = this;
    var o = {
      tag: this.getAttribute("tag"), year: this.getAttribute("year"), author: this.getAttribute("author"),
      limit: this.getAttribute("limit"), sort: this.getAttribute("sort") || "newest",
      group: (this.getAttribute("group-by") || "year") === "year",
      abstracts: this.hasAttribute("show-abstracts") && this.getAttribute("show-abstracts") !== "false",
      theme: this.getAttribute("theme") || "auto", highlight: this.getAttribute("highlight")
    };
    var src = this.getAttribute("src") || new URL("papers.json", base).href;
    this._box.className = "r " + (o.theme === "dark" ? "dark" : o.theme === "light" ? "light" : "auto");
    load(src).then(function (data) {
      var box = self._box;
      box.textContent = "";
      var papers = pick(data.papers || [], o);
      if (!papers.length) { box.appendChild(el("p", "st", "No publications match.")).setAttribute("part", "status"); return; }
      var list = null, year = null;
      papers.forEach(function (p) {
        if (!list || (o.group && o.sort !== "title" && p.year !== year)) {
          year = p.year;
          if (o.group && o.sort !== "title") box.appendChild(el("h3", null, String(p.year))).setAttribute("part", "heading");
          list = box.appendChild(el("ul"));
          list.setAttribute("part", "list");
        }
        list.appendChild(item(p, o));
      });
      self.dispatchEvent(new CustomEvent("publication-list:rendered", { bubbles: true }));
    }).catch(function (err) {
      self._box.textContent = "";
      self._box.appendChild(document.createElement("slot"));
      self._box.appendChild(el("p", "st", "Could not load the publication list (" + err.message + ")."));
    });
  };
  // The list as a plain HTML fragment for a server-side include, links absolute from ``base``: the markup the
  // build writes in embed/fragment.html (exports.fragment_item), for the papers ``o`` picks (the builder page).
  function esc(t) {
    return String(t).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
      .replace(/'/g, "&#x27;");
  }
  PublicationList.fragment = function (papers, o, base) {
    function abs(u) { return esc(/^[a-z][a-z0-9+.-]*:/i.test(u) ? u : new URL(u, base).href); }
    return '<ul class="pub-list">\n' + pick(papers, o).map(function (p) {
      var v = p.venue || {}, meta = [], row = buttons(p).map(function (b) {
        return '<a class="pub-link pub-link-' + esc(b.kind.toLowerCase().replace(/ /g, "-")) + '" href="' + abs(b.url) + '">' +
          esc(b.label) + "</a>";
      });
      if (p.code_released) row.push('<span class="pub-code-released">Code released</span>');
      if (v.line) meta.push('<span class="pub-venue">' + esc(v.line + (v.note ? " (" + v.note + ")" : "")) + "</span>");
      meta.push('<time datetime="' + esc(p.date) + '">' + esc(showDate(p.date)) + "</time>");
      if (p.category) meta.push(esc(p.category.name));
      if (p.affiliation) meta.push(esc(p.affiliation));
      return '  <li class="pub-item">\n    <a class="pub-title" href="' + abs(p.url) + '">' + p.title_html + "</a>" +
        (v.badge ? ' <span class="pub-badge">' + esc(v.badge) + "</span>" : "") + "\n" +
        '    <div class="pub-authors">' + p.authors.map(function (n, i) {
          return p.owner && p.owner[i] ? '<strong class="pub-owner">' + esc(n) + "</strong>" : esc(n);
        }).join(", ") + (p.et_al ? " et al." : "") + "</div>\n" +
        '    <div class="pub-meta">' + meta.join(" · ") + "</div>" +
        (row.length ? '\n    <div class="pub-links">' + row.join(" ") + "</div>" : "") + "\n  </li>\n";
    }).join("") + "</ul>\n";
  };
  customElements.define("publication-list", PublicationList);
})();
