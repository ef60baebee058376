/* The inspector's record form on a phone (issue 14). Vanilla JS, served locally (no CDN).
 *
 * - Every change is saved as a draft in localStorage (fields, photos resized on a canvas, the firm's signature PNG).
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
    return { key: newKey(), rev: 0, fields: fields || null, photos: [], signature: null, pending: null };
  }
  function load() {
    try { return JSON.parse(window.localStorage.getItem(storeKey)); } catch (e) { return null; }
  }
  function show(kind, text) {
    statusBox.hidden = false;
    statusBox.className = "sync " + kind;
    statusBox.textContent = text;
  }
  function save() {
    try {
      window.localStorage.setItem(storeKey, JSON.stringify(draft));
      return true;
    } catch (e) {
      show("error", "本机存储空间不足，草稿未能保存，请联网后尽快暂存");
      return false;
    }
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
        resolve(canvas.toDataURL("image/jpeg", QUALITY));
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error(file.name)); };
      img.src = url;
    });
  }
  function renderPhotos() {
    photoList.textContent = "";
    draft.photos.forEach(function (data, i) {
      var img = document.createElement("img");
      img.src = data;
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
    draft.signature = pad.toDataURL("image/png");
    padState.textContent = "已签字（将作为附件保存，并记录其 SHA-256）";
    var obtained = document.getElementById("id_signature_obtained");
    if (obtained && !form.querySelector("input[name=signature]:checked")) obtained.checked = true;
    changed();
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
    draft.photos.forEach(function (d, i) { body.append("photos", blob(d), "photo" + (i + 1) + ".jpg"); });
    if (draft.signature) body.append("signature_png", blob(draft.signature), "signature.png");
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
        window.localStorage.removeItem(storeKey);
        draft = fresh(kept);
        renderPhotos();
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
  form.addEventListener("change", function (e) { if (e.target !== photoInput) changed(); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var action = (e.submitter && e.submitter.value) || "save";
    draft.fields = fields();
    draft.pending = action;
    save();
    send();
  });
  window.addEventListener("online", send);
  window.addEventListener("offline", function () {
    show("offline", "当前无网络：可继续填写，草稿保存在本机，联网后自动发送");
  });
  window.setInterval(send, RETRY_MS);

  // --- start: the draft kept on this phone, if any ------------------------------------------------------------------
  var draft = load();
  blankPad();
  if (draft && draft.key) {
    if (draft.fields) restore(draft.fields);
    renderPhotos();
    if (draft.signature) {
      var img = new Image();
      img.onload = function () { ctx.drawImage(img, 0, 0, pad.width, pad.height); inked = true; };
      img.src = draft.signature;
      padState.textContent = "已签字（本机草稿）";
    }
    show("offline", draft.pending ? "有未发送的草稿，联网后自动发送" : "已恢复本机保存的草稿（尚未发送到平台）");
    send();
  } else {
    draft = fresh();
  }
})();
