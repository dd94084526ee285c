/* Client-side search of the published dictionary. The rules (how words split, stop words,
   the classifier's abbreviations, place weights) come from search-index.js, written by
   `cdw-datahub publish` from the same code the `search` command runs (cdw_datahub/search.py);
   keep the two in step. No network, no innerHTML: results are built with DOM text nodes. */
(function () {
  "use strict";
  var INDEX = window.CDW_SEARCH_INDEX;
  var RULES = INDEX.rules;
  var SPLIT = new RegExp(RULES.split);
  var STOP = new Set(RULES.stopwords);
  var POSSESSIVE = new RegExp(RULES.possessive, "i");
  var PLACE_ORDER = Object.keys(RULES.weights);
  var MAX_SHOWN = 100;

  function pieces(text) {
    return String(text || "").split(SPLIT).filter(function (p) { return p; })
      .map(function (p) { return p.toLowerCase(); });
  }

  function singulars(word) {
    var out = [];
    if (word.endsWith("ies") && word.length > 4) out.push(word.slice(0, -3) + "y");
    if (word.endsWith("es") && word.length > 4) out.push(word.slice(0, -2));
    if (word.endsWith("s") && !word.endsWith("ss") && word.length > 3) out.push(word.slice(0, -1));
    return out;
  }

  function alternatives(word) {
    var groups = [[word]];
    var forms = [word].concat(singulars(word));
    singulars(word).forEach(function (s) { groups.push([s]); });
    forms.forEach(function (form) {
      var expansion = Object.prototype.hasOwnProperty.call(RULES.abbreviations, form)
        ? RULES.abbreviations[form] : null;
      if (expansion) {
        var kept = expansion.filter(function (w) { return !STOP.has(w); });
        groups.push(kept.length ? kept : expansion);
      }
    });
    var seen = new Set();
    return groups.filter(function (g) {
      var key = g.join(" ");
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  // query word -> readings -> pieces -> alternative groups -> tokens (search.py QueryRules.terms)
  function terms(query) {
    var chunks = query.split(/\s+/).filter(function (c) { return c; });
    var out = [];
    chunks.forEach(function (chunk) {
      var words = pieces(chunk.replace(POSSESSIVE, ""));
      var kept = words.filter(function (w) { return !STOP.has(w); });
      if (!kept.length) return;
      var readings = [kept.map(alternatives)];
      if (words.length > 1) readings.push([alternatives(words.join(""))]);
      out.push(readings);
    });
    if (!out.length) {
      chunks.forEach(function (chunk) {
        var ps = pieces(chunk);
        if (ps.length) out.push([ps.map(function (w) { return [[w]]; })]);
      });
    }
    return out;
  }

  function tokenScore(token, tokens) {
    if (tokens.indexOf(token) >= 0) return 2;
    if (token.length >= RULES.min_prefix &&
        tokens.some(function (t) { return t.startsWith(token); })) return 1;
    return 0;
  }

  function quality(word, tokens) {
    return Math.max.apply(null, word.map(function (reading) {
      return Math.min.apply(null, reading.map(function (piece) {
        return Math.max.apply(null, piece.map(function (group) {
          return Math.min.apply(null, group.map(function (t) { return tokenScore(t, tokens); }));
        }));
      }));
    }));
  }

  function placeWeight(place, kind) {
    if (kind === "field" && (place === "table" || place === "program")) return RULES.context_weight;
    return RULES.weights[place];
  }

  function score(query, doc) {
    var total = 0;
    var where = new Set();
    for (var i = 0; i < query.length; i++) {
      var best = 0;
      for (var place in doc.places) {
        var q = quality(query[i], doc.places[place]);
        if (q) {
          where.add(place);
          best = Math.max(best, Math.floor(placeWeight(place, doc.kind) * q / 2) || 1);
        }
      }
      if (!best) return null;
      total += best;
    }
    return { score: total, matched: PLACE_ORDER.filter(function (p) { return where.has(p); }) };
  }

  function rank(query) {
    var parsed = terms(query);
    if (!parsed.length) return [];
    var hits = [];
    INDEX.docs.forEach(function (doc, position) {
      var found = score(parsed, doc);
      if (found) hits.push({ doc: doc, score: found.score, matched: found.matched, position: position });
    });
    hits.sort(function (a, b) {
      return (b.score - a.score) ||
        ((a.doc.kind === "dataset" ? 0 : 1) - (b.doc.kind === "dataset" ? 0 : 1)) ||
        (a.position - b.position);
    });
    return hits;
  }

  function element(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function show(query) {
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    list.replaceChildren();
    if (!query.trim()) { status.textContent = ""; return; }
    var hits = rank(query);
    status.textContent = hits.length
      ? hits.length + " match" + (hits.length === 1 ? "" : "es") + " for “" + query + "”" +
        (hits.length > MAX_SHOWN ? ", the first " + MAX_SHOWN + " shown" : "")
      : "Nothing matches “" + query + "”.";
    hits.slice(0, MAX_SHOWN).forEach(function (hit) {
      var doc = hit.doc;
      var item = element("li", "", {
        "class": "result", "data-kind": doc.kind, "data-dataset": doc.dataset,
        "data-field": doc.field || ""
      });
      var name = doc.kind === "field"
        ? (doc.label ? doc.label + " (" + doc.field + ")" : doc.field)
        : (doc.dataset_title || doc.dataset);
      item.appendChild(element("a", name, { href: doc.url }));
      var where = doc.kind === "field"
        ? "Field of " + (doc.dataset_title || doc.dataset)
        : "Dataset " + doc.dataset;
      item.appendChild(element("div", where + " · " + doc.classification, { "class": "meta" }));
      if (doc.definition) item.appendChild(element("div", doc.definition, { "class": "definition" }));
      list.appendChild(item);
    });
  }

  window.cdwSearch = rank;  // for tests and the curious: the ranked hits of a query

  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  if (!form || !input) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(input.value);
  });
  input.addEventListener("input", function () { show(input.value); });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; show(initial); }
})();
