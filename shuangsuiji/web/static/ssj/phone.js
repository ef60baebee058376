/* The inspector's record form on a phone (issue 14). Vanilla JS, served locally (no CDN).
 *
 * - Every change is saved as a draft in IndexedDB (fields, photos resized on a canvas and kept as Blobs, the firm's
 *   signature PNG as a Blob): no ~5 MB localStorage limit. Drafts an older version left in localStorage are moved
 *   to IndexedDB once, when the page opens.
 * - A Service Worker (/my/sw.js, scope /my/) keeps a copy of this page and its static files, so reloading the form
 *   while offline still opens it with its draft.
 * - "暂存" and "提交审核" mark the draft as pending and send it; without a connection it waits and is sent when the
 *   browser reports `online` again (and on a timer, and when the page is opened again).
 * - Each send carries the header Idempotency-Key = draft key + version + action: a send repeated after a lost
 *   answer is answered by the server from its stored response and runs only once.
 */
(function () {
  "use strict";
  var form = document.getElementById("phone-form");
  if (!form) return;
  var storeKey = form.dataset.draft;
  var syncUrl = form.dataset.syncUrl;
  var statusBox = document.getElementById("sync-status");
  var photoInput = document.getElementById("id_photos");
  var photoList = document.getElementById("photo-list");
  var pad = document.getElementById("signature-pad");
  var padState = document.getElementById("signature-state");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var MAX_SIDE = 1600;
  var QUALITY = 0.82;
  var RETRY_MS = 15000;
  var sending = false;

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function fresh(fields) {
    return { key: newKey(), rev: 0, fields: fields || null, photos: [], documents: [], signature: null, pending: null };
  }

  // --- the draft store: IndexedDB, one record per user and visit, keyed like the old localStorage entries ------------
  var DB_NAME = "ssj-phone";
  var STORE = "drafts";
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = window.indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = function () { req.result.createObjectStore(STORE); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }
  function idb(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var tx = d.transaction(STORE, mode);
        var req = fn(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(req && req.result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function load() { return idb("readonly", function (s) { return s.get(storeKey); }); }
  function drop() { return idb("readwrite", function (s) { return s.delete(storeKey); }); }
  // A draft of the localStorage era (photos and signature as data: URLs) becomes an IndexedDB draft of Blobs, with
  // its key, version and pending action kept: a send it had started keeps its Idempotency-Key and still runs once.
  function migrate() {
    var prefix = storeKey.slice(0, storeKey.lastIndexOf("-") + 1);
    var old = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var k = window.localStorage.key(i);
        if (k && k.indexOf(prefix) === 0) old.push(k);
      }
    } catch (e) { return Promise.resolve(); }
    return old.reduce(function (chain, k) {
      return chain.then(function () {
        var d = null;
        try { d = JSON.parse(window.localStorage.getItem(k)); } catch (e) { d = null; }
        if (!d || !d.key) { window.localStorage.removeItem(k); return null; }
        return idb("readonly", function (s) { return s.get(k); }).then(function (existing) {
          if (existing) return null;  // the IndexedDB draft is the newer one
          d.photos = (d.photos || []).map(blob);
          d.signature = d.signature ? blob(d.signature) : null;
          return idb("readwrite", function (s) { return s.put(d, k); });
        }).then(function () { window.localStorage.removeItem(k); });
      });
    }, Promise.resolve());
  }
  function show(kind, text) {
    statusBox.hidden = false;
    statusBox.className = "sync " + kind;
    statusBox.textContent = text;
  }
  // Writes queue behind each other, so the last change is the one kept.
  var writing = Promise.resolve();
  var loaded = false;  // nothing is written before the kept draft is read (it would be overwritten)
  function save() {
    if (!loaded) return writing;
    var snapshot = draft;
    writing = writing.then(function () {
      return idb("readwrite", function (s) { return s.put(snapshot, storeKey); });
    }).catch(function () {
      show("error", "本机存储空间不足或浏览器禁止保存，草稿未能保存，请联网后尽快暂存");
    });
    return writing;
  }
  function fields() {
    var pairs = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit" || el.name === "csrfmiddlewaretoken") return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      pairs.push([el.name, el.value]);
    });
    return pairs;
  }
  function restore(pairs) {
    var seen = {};
    pairs.forEach(function (p) { (seen[p[0]] = seen[p[0]] || []).push(p[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit" || el.name === "csrfmiddlewaretoken") return;
      var values = seen[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") el.checked = values.indexOf(el.value) >= 0;
      else if (el.type !== "hidden" && values.length) el.value = values[values.length - 1];
    });
  }
  function changed() {
    draft.fields = fields();
    draft.rev += 1;
    save();
  }

  // --- photos: resized on a canvas before they are kept or sent ------------------------------------------------------
  function resize(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
        canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
        var ctx = canvas.getContext("2d");
        ctx.fillStyle = "#fff";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (b) { if (b) resolve(b); else reject(new Error(file.name)); }, "image/jpeg", QUALITY);
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error(file.name)); };
      img.src = url;
    });
  }
  var shown = [];
  function renderPhotos() {
    shown.forEach(function (u) { URL.revokeObjectURL(u); });
    shown = [];
    photoList.textContent = "";
    draft.photos.forEach(function (data, i) {
      var img = document.createElement("img");
      img.src = URL.createObjectURL(data);
      shown.push(img.src);
      img.alt = "现场照片 " + (i + 1);
      photoList.appendChild(img);
    });
  }
  photoInput.addEventListener("change", function () {
    var files = Array.prototype.slice.call(photoInput.files || []);
    Promise.all(files.map(function (f) { return resize(f).catch(function () { return null; }); })).then(function (list) {
      var bad = list.filter(function (d) { return !d; }).length;
      list.forEach(function (d) { if (d) draft.photos.push(d); });
      photoInput.value = "";
      renderPhotos();
      changed();
      if (bad) show("error", bad + " 个文件不是可识别的图片，已忽略");
    });
  });

  // --- the result's documents (检测报告, 专家意见): kept as they are, with the kind chosen beside them ---------------
  var docInput = document.getElementById("id_documents");
  var docKind = document.getElementById("id_document_kind");
  var docList = document.getElementById("document-list");
  function renderDocuments() {
    docList.textContent = (draft.documents || []).map(function (d) { return d.kind + "：" + d.name; }).join("；");
  }
  docInput.addEventListener("change", function () {
    draft.documents = draft.documents || [];
    Array.prototype.forEach.call(docInput.files || [], function (f) {
      draft.documents.push({ kind: docKind.value, name: f.name, blob: f.slice(0, f.size, f.type) });
    });
    docInput.value = "";
    renderDocuments();
    changed();
  });

  // --- the firm's signature, drawn on a canvas ---------------------------------------------------------------------
  var ctx = pad.getContext("2d");
  var drawing = false;
  var inked = false;
  function blankPad() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, pad.width, pad.height);
    ctx.lineWidth = 4;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#101828";
  }
  function at(e) {
    var r = pad.getBoundingClientRect();
    return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
  }
  pad.addEventListener("pointerdown", function (e) {
    drawing = true;
    if (pad.setPointerCapture) pad.setPointerCapture(e.pointerId);
    var p = at(e);
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    e.preventDefault();
  });
  pad.addEventListener("pointermove", function (e) {
    if (!drawing) return;
    var p = at(e);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    inked = true;
    e.preventDefault();
  });
  function endStroke() {
    if (!drawing) return;
    drawing = false;
    if (!inked) return;
    var obtained = document.getElementById("id_signature_obtained");
    if (obtained && !form.querySelector("input[name=signature]:checked")) obtained.checked = true;
    pad.toBlob(function (png) {
      draft.signature = png;
      padState.textContent = "已签字（将作为附件保存，并记录其 SHA-256）";
      changed();
    }, "image/png");
  }
  pad.addEventListener("pointerup", endStroke);
  pad.addEventListener("pointercancel", endStroke);
  document.getElementById("signature-clear").addEventListener("click", function () {
    blankPad();
    inked = false;
    draft.signature = null;
    padState.textContent = "请检查对象在框内签字";
    changed();
  });

  // --- sending -----------------------------------------------------------------------------------------------------
  function blob(dataUrl) {
    if (typeof dataUrl !== "string") return dataUrl;  // already a Blob
    var parts = dataUrl.split(",");
    var type = parts[0].slice(5).split(";")[0];
    var bin = window.atob(parts[1]);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Blob([bytes], { type: type });
  }
  function send() {
    if (sending || !draft.pending) return Promise.resolve();
    if (!navigator.onLine) {
      show("offline", "当前无网络：草稿已保存在本机，联网后自动发送");
      return Promise.resolve();
    }
    sending = true;
    var action = draft.pending;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf);
    (draft.fields || fields()).forEach(function (p) { body.append(p[0], p[1]); });
    body.append("action", action);
    draft.photos.forEach(function (d, i) { body.append("photos", d, "photo" + (i + 1) + ".jpg"); });
    if (draft.signature) body.append("signature_png", draft.signature, "signature.png");
    (draft.documents || []).forEach(function (d) {
      body.append("documents", d.blob, d.name);
      body.append("document_kinds", d.kind);
    });
    show("offline", "正在发送…");
    return fetch(syncUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Idempotency-Key": draft.key + "." + draft.rev + "." + action, "X-CSRFToken": csrf },
    }).then(function (r) {
      return r.json().then(function (data) { return { r: r, data: data }; }, function () { return { r: r, data: null }; });
    }).then(function (res) {
      sending = false;
      var data = res.data;
      if (res.r.ok && data && data.ok) {
        var kept = draft.fields;
        draft = fresh(kept);
        writing = writing.then(drop);
        renderPhotos();
        renderDocuments();
        document.getElementById("record-status").innerHTML = "";
        var tag = document.createElement("span");
        tag.className = "tag";
        tag.textContent = data.status;
        document.getElementById("record-status").appendChild(tag);
        show("ok", data.message + "（附件 " + data.attachments + " 个）");
        if (data.submitted) {
          Array.prototype.forEach.call(form.elements, function (el) { el.disabled = true; });
        }
        return;
      }
      if (!data) {
        show("error", "登录可能已过期：请重新登录后打开本页，草稿仍保存在本机");
        return;
      }
      draft.pending = null;
      save();
      show("error", data.detail || "发送失败，请检查后重试");
    }, function () {
      sending = false;
      show("offline", "网络中断：草稿已保存在本机，联网后自动发送");
    });
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", function (e) { if (e.target !== photoInput && e.target !== docInput) changed(); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var action = (e.submitter && e.submitter.value) || "save";
    draft.fields = fields();
    draft.pending = action;
    save().then(send);
  });
  window.addEventListener("online", send);
  window.addEventListener("offline", function () {
    show("offline", "当前无网络：可继续填写，草稿保存在本机，联网后自动发送");
  });
  window.setInterval(send, RETRY_MS);

  // --- offline: the Service Worker keeps this page and its static files ---------------------------------------------
  function offlineReady() {
    form.dataset.offlineReady = "1";
    var note = document.getElementById("offline-note");
    if (note) note.hidden = false;
  }
  if ("serviceWorker" in navigator && form.dataset.swUrl) {
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data && e.data.cached === location.pathname) offlineReady();
    });
    navigator.serviceWorker.register(form.dataset.swUrl, { scope: form.dataset.swScope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      var assets = [];
      Array.prototype.forEach.call(document.querySelectorAll("link[href], script[src]"), function (el) {
        var u = new URL(el.href || el.src, location.href);
        if (u.origin === location.origin) assets.push(u.pathname);
      });
      (navigator.serviceWorker.controller || reg.active).postMessage({ cache: location.pathname, assets: assets });
    }).catch(function () { /* no offline copy: the draft is still kept in IndexedDB */ });
  }

  // --- start: the draft kept on this phone, if any ------------------------------------------------------------------
  var draft = fresh();
  blankPad();
  migrate().catch(function () {}).then(load).then(function (kept) {
    loaded = true;
    if (!kept || !kept.key) return;
    draft = kept;
    if (draft.fields) restore(draft.fields);
    renderPhotos();
    renderDocuments();
    if (draft.signature) {
      var img = new Image();
      img.onload = function () { ctx.drawImage(img, 0, 0, pad.width, pad.height); inked = true; URL.revokeObjectURL(img.src); };
      img.src = URL.createObjectURL(draft.signature);
      padState.textContent = "已签字（本机草稿）";
    }
    show("offline", draft.pending ? "有未发送的草稿，联网后自动发送" : "已恢复本机保存的草稿（尚未发送到平台）");
    return send();
  }, function () {
    loaded = true;
    show("error", "浏览器禁止本机保存草稿（IndexedDB 不可用）：请保持联网并及时暂存");
  }).then(function () { form.dataset.draftLoaded = "1"; });
})();
