// The dashboard: sessions, one session live (command log, render, design, state tree), and
// the Blender instances. Plain JavaScript against /api, live through /api/events (SSE).
(function () {
  "use strict";
  // Authentication is the HttpOnly cookie that the one-time link from `bmcp up` (or
  // `bmcp dashboard`) set: no token in this script, in URLs or in storage.
  var view = document.getElementById("view");
  var live = document.getElementById("live");
  var events = null;
  var onEvent = function () {};

  function api(path, options) {
    options = options || {};
    options.headers = options.headers || {};
    options.credentials = "same-origin";
    return fetch(path, options).then(function (response) {
      if (response.ok) return response;
      if (response.status === 401) {
        throw new Error("not signed in: open the one-time dashboard link that `bmcp up` printed, or run `bmcp dashboard` for a new one");
      }
      return response.json().catch(function () { return {}; }).then(function (body) {
        var error = (body && body.error) || {};
        throw new Error((error.code ? error.code + ": " : "") + (error.message || response.statusText));
      });
    });
  }
  function json(path) { return api(path).then(function (r) { return r.json(); }); }
  function text(path) { return api(path).then(function (r) { return r.text(); }); }
  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }
  function when(ts) { return ts ? new Date(ts).toLocaleTimeString() : ""; }
  function failure(where, error) { return '<div class="error-box">' + esc(where) + ": " + esc(error.message) + "</div>"; }

  function listen(session) {
    if (events) events.close();
    var query = [];
    if (session) query.push("session=" + encodeURIComponent(session));
    events = new EventSource("/api/events" + (query.length ? "?" + query.join("&") : ""));
    events.onopen = function () { live.textContent = "live"; live.className = "live"; };
    events.onerror = function () { live.textContent = "reconnecting"; live.className = "live off"; };
    events.onmessage = function (message) { handle(message); };
    ["command.started", "command.completed", "command.failed", "session.created", "session.closed", "session.lost",
     "session.rehomed", "session.resumed", "session.idle", "log.updated", "bridge.joined", "bridge.lost"].forEach(function (name) {
      events.addEventListener(name, handle);
    });
  }
  function handle(message) {
    try { onEvent(JSON.parse(message.data)); } catch (error) { console.warn("bad event", error); }
  }

  // -- sessions ----------------------------------------------------------------------
  function sessionsPage() {
    listen(null);
    var refresh = function () {
      json("/api/sessions").then(function (body) {
        var rows = (body.sessions || []).map(function (s) {
          return '<tr data-session="' + esc(s.session_id) + '"><td><a href="#/sessions/' + encodeURIComponent(s.session_id) + '">' +
            esc(s.session_id) + "</a></td><td>" + esc(s.name) + '</td><td class="state-' + esc(s.state) + '">' + esc(s.state) +
            "</td><td>" + esc(s.instance || "—") + "</td><td>" + esc(s.command_count) + "</td><td>" + esc(when(s.last_used_at)) + "</td></tr>";
        }).join("");
        view.innerHTML = "<h2>Sessions</h2><table id=\"sessions\"><thead><tr><th>Session</th><th>Name</th><th>State</th><th>Instance</th>" +
          "<th>Commands</th><th>Last used</th></tr></thead><tbody>" + (rows || '<tr><td colspan="6" class="muted">No sessions yet.</td></tr>') +
          "</tbody></table>";
      }).catch(function (error) { view.innerHTML = failure("sessions", error); });
    };
    onEvent = function (event) {
      if (/^session\.|^command\.(completed|failed)$/.test(event.op)) refresh();
    };
    refresh();
  }

  // -- one session -------------------------------------------------------------------
  function logRow(c) {
    var error = c.error ? esc((c.error.code || "") + ": " + (c.error.message || "")) : "";
    var changed = c.changed ? Object.keys(c.changed).filter(function (k) { return [].concat(c.changed[k]).length; })
      .map(function (k) { return k + " " + [].concat(c.changed[k]).join(", "); }).join("; ") : "";
    return "<tr class=\"flash\"><td>" + esc(c.seq) + "</td><td>" + esc(when(c.ts)) + "</td><td>" + esc(c.tool || c.op) + '</td><td class="status-' +
      esc(c.status) + '">' + esc(c.status) + "</td><td>" + esc(c.duration_ms != null ? c.duration_ms.toFixed(1) + " ms" : "") +
      "</td><td>" + esc(changed) + error + "</td></tr>";
  }
  function tree(value, label) {
    if (value === null || typeof value !== "object") return "<li><span class=\"mono\">" + esc(label) + ":</span> " + esc(JSON.stringify(value)) + "</li>";
    var keys = Object.keys(value);
    var inner = keys.map(function (k) { return tree(value[k], Array.isArray(value) ? (value[k] && value[k].name) || k : k); }).join("");
    return "<li><details" + (label === "objects" || label === "scene" ? " open" : "") + "><summary>" + esc(label) + " <span class=\"muted\">(" +
      keys.length + ")</span></summary><ul>" + inner + "</ul></details></li>";
  }
  function sessionPage(id) {
    listen(id);
    var base = "/api/sessions/" + encodeURIComponent(id);
    view.innerHTML = '<h2 id="title">Session ' + esc(id) + '</h2><div class="grid"><div>' +
      '<div class="card"><h2>Command log</h2><div id="log"><table><thead><tr><th>#</th><th>Time</th><th>Tool</th><th>Status</th>' +
      '<th>Duration</th><th>Changed / error</th></tr></thead><tbody id="log-rows"></tbody></table></div></div>' +
      '<div class="card design"><h2>Design</h2><div id="design" class="muted">No design document yet.</div></div></div>' +
      '<div><div class="card render"><h2>Latest render</h2><div id="render" class="muted">No render yet.</div></div>' +
      '<div class="card drawings"><h2>Drawings</h2><div id="drawings" class="muted">No drawings yet.</div></div>' +
      '<div class="card tree"><h2>Scene</h2><div id="state" class="muted">No snapshot yet.</div></div></div></div>';
    var rows = document.getElementById("log-rows");
    var seen = {};
    function addCommands(commands) {
      commands.forEach(function (c) {
        var key = c.source + "/" + c.seq;
        if (seen[key]) return;
        seen[key] = true;
        rows.insertAdjacentHTML("beforeend", logRow(c));
      });
      var box = document.getElementById("log");
      box.scrollTop = box.scrollHeight;
    }
    function loadLog() {
      json(base + "/log?tail=200").then(function (page) { addCommands(page.commands || []); })
        .catch(function (error) { if (!/not_found/.test(error.message)) rows.innerHTML = "<tr><td colspan=6>" + failure("log", error) + "</td></tr>"; });
    }
    function loadSession() {
      json(base).then(function (s) {
        document.getElementById("title").innerHTML = esc(s.name) + ' <span class="muted mono">' + esc(s.session_id) + '</span> <span class="state-' +
          esc(s.state) + '">' + esc(s.state) + "</span> <span class=\"muted\">on " + esc(s.instance || "no instance") + "</span>";
      }).catch(function (error) { document.getElementById("title").innerHTML = failure("session " + id, error); });
    }
    function loadDesign() {
      text(base + "/design").then(function (md) {
        document.getElementById("design").innerHTML = window.renderMarkdown(md, function (src) {
          if (src === "renders/latest.png") return base + "/render?t=" + Date.now();
          if (src === "plan.svg" || src === "elevation.svg") return base + "/" + src.replace(".svg", "") + "?t=" + Date.now();
          return src;
        });
        document.getElementById("design").className = "";
      }).catch(function () {});
    }
    // plan.svg and elevation.svg beside the render, fetched as images (an SVG in <img> runs no script).
    function loadDrawings() {
      Promise.all(["plan", "elevation"].map(function (name) {
        return api(base + "/" + name).then(function (r) { return r.blob(); }).then(function (blob) {
          var img = document.createElement("img");
          img.alt = name;
          img.className = "drawing " + name;
          img.src = URL.createObjectURL(blob);
          return img;
        });
      })).then(function (images) {
        var box = document.getElementById("drawings");
        box.innerHTML = "";
        box.className = "";
        images.forEach(function (img) { box.appendChild(img); });
      }).catch(function () {});
    }
    function loadState() {
      json(base + "/state").then(function (state) {
        document.getElementById("state").innerHTML = "<ul>" + tree(state.scene || state, "scene") + "</ul>";
        document.getElementById("state").className = "";
      }).catch(function () {});
    }
    function loadRender() {
      api(base + "/render").then(function (r) { return r.blob(); }).then(function (blob) {
        var img = document.createElement("img");
        img.alt = "latest render";
        img.src = URL.createObjectURL(blob);
        var box = document.getElementById("render");
        box.innerHTML = "";
        box.className = "";
        box.appendChild(img);
      }).catch(function () {});
    }
    onEvent = function (event) {
      if (event.session !== id) return;
      if (event.op === "log.updated") {
        var file = event.params && event.params.file;
        if (file === "command.log") loadLog();
        if (file === "design.md") { loadDesign(); loadDrawings(); }
        if (file === "state.json") loadState();
        if (file === "renders") loadRender();
      } else if (event.op === "command.completed" || event.op === "command.failed") {
        var p = event.params || {};
        addCommands([{ seq: event.seq, source: event.source, ts: event.ts, tool: p.tool, op: p.op, status: event.op === "command.completed" ? "ok" : "error",
          duration_ms: p.duration_ms, changed: p.changed, error: p.error }]);
        if (/^render\./.test(p.op || "")) setTimeout(loadRender, 300);
        loadSession();
      } else if (/^session\./.test(event.op)) {
        loadSession();
      }
    };
    loadSession(); loadLog(); loadDesign(); loadDrawings(); loadState(); loadRender();
  }

  // -- instances ---------------------------------------------------------------------
  function instancesPage() {
    listen(null);
    var refresh = function () {
      Promise.all([json("/api/instances"), json("/api/health")]).then(function (both) {
        var rows = (both[0].instances || []).map(function (i) {
          return "<tr><td>" + esc(i.id) + "</td><td>" + esc(i.sessions) + "</td><td>" + esc(i.in_flight) + "</td><td>" + esc(i.resident_session || "—") + "</td></tr>";
        }).join("");
        var services = Object.keys(both[1]).sort().map(function (name) {
          var h = both[1][name] || {};
          return "<tr><td>" + esc(name) + '</td><td class="' + (h.error ? "status-error" : "status-ok") + '">' + esc(h.error || h.status || "ok") +
            '</td><td class="mono">' + esc(JSON.stringify(h)) + "</td></tr>";
        }).join("");
        view.innerHTML = "<h2>Blender instances</h2><table id=\"instances\"><thead><tr><th>Instance</th><th>Sessions</th><th>In flight</th><th>Loaded session</th>" +
          "</tr></thead><tbody>" + (rows || '<tr><td colspan="4" class="muted">No live Blender.</td></tr>') + "</tbody></table>" +
          "<h2>Services</h2><table><thead><tr><th>Service</th><th>Health</th><th>Detail</th></tr></thead><tbody>" + services + "</tbody></table>";
      }).catch(function (error) { view.innerHTML = failure("instances", error); });
    };
    onEvent = function (event) { if (/^bridge\.|^session\./.test(event.op)) refresh(); };
    refresh();
  }

  function route() {
    var hash = location.hash.replace(/^#/, "") || "/";
    var match = hash.match(/^\/sessions\/(.+)$/);
    document.querySelectorAll("nav a").forEach(function (a) {
      a.classList.toggle("current", a.dataset.nav === (hash.indexOf("/instances") === 0 ? "instances" : "sessions"));
    });
    if (match) sessionPage(decodeURIComponent(match[1]));
    else if (hash.indexOf("/instances") === 0) instancesPage();
    else sessionsPage();
  }
  window.addEventListener("hashchange", route);
  route();
})();
