// The sandbox chat page: shows the transcript (long poll) and sends the person's actions.
"use strict";
(() => {
  const body = document.body;
  const T = JSON.parse(body.dataset.texts);
  const languageCode = body.dataset.languageCode;
  const $ = (id) => document.getElementById(id);
  const chat = $("chat");
  const state = { after: 0, messages: new Map(), keyboard: null, commands: [], loaded: false };

  // ---- who is chatting: ?user=ID, else remembered, else a new random id
  const query = new URLSearchParams(location.search);
  const newUserId = () => 100000 + Math.floor(Math.random() * 900000);
  const userId = Number(query.get("user")) || Number(localStorage.getItem("sandbox_user")) || newUserId();
  localStorage.setItem("sandbox_user", String(userId));
  $("who").textContent = "ID " + userId;

  // ---- the person's name (Telegram's first_name), kept per person in this browser ----------------------
  const nameKey = "sandbox_name_" + userId;
  const nameInput = $("first-name");
  nameInput.value = localStorage.getItem(nameKey) || T.default_name.replace("%(id)s", String(userId));
  const firstName = () => nameInput.value.trim() || T.default_name.replace("%(id)s", String(userId));
  nameInput.addEventListener("change", () => localStorage.setItem(nameKey, nameInput.value.trim()));

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  let noticeTimer = 0;
  function notice(text, sticky) {
    const box = $("notice");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(noticeTimer);
    if (!sticky) noticeTimer = setTimeout(() => { box.hidden = true; }, 4000);
  }

  // ---- sending --------------------------------------------------------------------------------
  async function send(kind, fields = {}, file = null) {
    const form = new FormData();
    form.set("kind", kind);
    form.set("chat_id", String(userId));
    form.set("language_code", languageCode);
    form.set("first_name", firstName());
    for (const [key, value] of Object.entries(fields)) form.set(key, String(value));
    if (file) form.set("file", file, file.name);
    try {
      const response = await fetch("/sandbox/api/send", { method: "POST", body: form });
      const data = await response.json();
      if (!data.ok) notice(data.error);
      return data.ok;
    } catch (error) {
      notice(T.send_failed + " " + error);
      return false;
    }
  }

  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    if (!(await send("text", { text }))) input.value = text;
  });
  for (const [inputId, kind] of [["photo-input", "photo"], ["file-input", "document"]]) {
    $(inputId).addEventListener("change", async (event) => {
      const input = event.target;
      for (const file of input.files) await send(kind, {}, file);
      input.value = "";
    });
  }

  // ---- contact: Telegram shares the account's phone number; here the person types one ----------------
  function shareContact() {
    const phone = window.prompt(T.ask_phone, "");
    if (phone && phone.trim()) send("contact", { phone_number: phone.trim(), via_keyboard: 1 });
  }

  // ---- location: typed, or from the browser -------------------------------------------------------
  function openLocation() {
    $("location-panel").hidden = false;
    $("latitude").focus();
  }
  function geolocate(viaKeyboard) {
    if (!navigator.geolocation) { notice(T.no_geolocation); return; }
    notice(T.locating, true);
    navigator.geolocation.getCurrentPosition(async (position) => {
      const { latitude, longitude, accuracy } = position.coords;
      $("latitude").value = latitude;
      $("longitude").value = longitude;
      $("notice").hidden = true;
      if (await send("location", { latitude, longitude, accuracy, via_keyboard: viaKeyboard ? 1 : "" })) {
        $("location-panel").hidden = true;
      }
    }, () => notice(T.no_geolocation), { timeout: 10000, enableHighAccuracy: true });
  }
  $("location-button").addEventListener("click", openLocation);
  $("location-close").addEventListener("click", () => { $("location-panel").hidden = true; });
  $("geolocate").addEventListener("click", () => geolocate(false));
  $("location-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = { latitude: $("latitude").value.trim(), longitude: $("longitude").value.trim() };
    if (await send("location", fields)) $("location-panel").hidden = true;
  });

  // ---- commands, language, new user ---------------------------------------------------------------
  $("commands-button").addEventListener("click", () => {
    const box = $("commands");
    box.hidden = !box.hidden || state.commands.length === 0;
  });
  $("language").addEventListener("change", (event) => {
    const next = new URLSearchParams(location.search);
    next.set("lang", event.target.value);
    location.search = next.toString();
  });
  $("new-user").addEventListener("click", () => startAsNewUser());

  // ---- rendering ----------------------------------------------------------------------------------
  const ALLOWED_TAGS = new Set(["B", "STRONG", "I", "EM", "U", "INS", "S", "STRIKE", "DEL", "A", "CODE", "PRE",
    "BLOCKQUOTE", "TG-SPOILER"]);
  function safeHtml(html) {
    // Telegram's HTML subset, rebuilt node by node: nothing from the message is inserted as markup.
    const parsed = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    const copy = (from, to) => {
      for (const node of from.childNodes) {
        if (node.nodeType === Node.TEXT_NODE) to.append(node.textContent);
        else if (node.nodeType !== Node.ELEMENT_NODE) continue;
        else if (!ALLOWED_TAGS.has(node.tagName)) copy(node, to);
        else {
          const tag = node.tagName === "TG-SPOILER" ? "span" : node.tagName.toLowerCase();
          const clean = document.createElement(tag);
          const href = node.getAttribute("href") || "";
          if (tag === "a" && /^(https?:|tg:)/i.test(href)) { clean.href = href; clean.target = "_blank"; clean.rel = "noopener"; }
          copy(node, clean);
          to.append(clean);
        }
      }
    };
    const fragment = document.createDocumentFragment();
    copy(parsed.body, fragment);
    return fragment;
  }

  const fileUrl = (fileId) => "/sandbox/api/file/" + encodeURIComponent(fileId);
  const clock = (seconds) => new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

  function inlineKeyboard(entry) {
    const markup = entry.message.reply_markup;
    if (!markup || !markup.inline_keyboard) return null;
    const box = el("div", "inline-keyboard");
    for (const row of markup.inline_keyboard) {
      const line = el("div", "keyboard-row");
      for (const button of row) {
        if (button.url) {
          const link = el("a", "inline-button", button.text);
          link.href = button.url; link.target = "_blank"; link.rel = "noopener";
          line.append(link);
        } else {
          const tap = el("button", "inline-button", button.text);
          tap.type = "button";
          tap.dataset.callback = button.callback_data || "";
          tap.addEventListener("click", () => send("button", {
            message_id: entry.message.message_id, data: button.callback_data || "" }));
          line.append(tap);
        }
      }
      box.append(line);
    }
    return box;
  }

  function content(entry) {
    const m = entry.message;
    const parts = [];
    const photo = m.photo && m.photo[m.photo.length - 1];
    if (photo) {
      const img = el("img", "photo");
      img.src = fileUrl(photo.file_id); img.alt = "photo";
      parts.push(img);
    }
    if (m.document) {
      const doc = el("div", "document");
      if ((m.document.mime_type || "").startsWith("image/")) {
        const img = el("img", "photo"); img.src = fileUrl(m.document.file_id); img.alt = m.document.file_name;
        doc.append(img);
      }
      doc.append(el("div", "file-name", m.document.file_name + " · " + Math.ceil(m.document.file_size / 1024) + " KB"));
      parts.push(doc);
    }
    if (m.location) parts.push(el("div", "location", T.location + ": " + m.location.latitude + ", " + m.location.longitude));
    if (m.contact) parts.push(el("div", "contact", T.contact + ": " + m.contact.first_name + " · " + m.contact.phone_number));
    const text = m.text !== undefined ? m.text : m.caption;
    if (text) {
      const box = el("div", "text");
      if (entry.parse_mode === "HTML") box.append(safeHtml(text)); else box.textContent = text;
      parts.push(box);
    }
    return parts;
  }

  function renderEntry(entry) {
    const row = el("div", "row " + (entry.outgoing ? "from-bot" : "from-me"));
    row.dataset.messageId = entry.message.message_id;
    const bubble = el("div", "bubble");
    if (entry.deleted) {
      bubble.classList.add("deleted");
      bubble.textContent = T.deleted;
    } else {
      bubble.append(...content(entry));
    }
    const meta = el("div", "meta", clock(entry.message.date) + (entry.message.edit_date ? " · " + T.edited : ""));
    bubble.append(meta);
    row.append(bubble);
    const keyboard = !entry.deleted && inlineKeyboard(entry);
    if (keyboard) row.append(keyboard);
    return row;
  }

  function renderReplyKeyboard() {
    const box = $("reply-keyboard");
    box.replaceChildren();
    const markup = state.keyboard;
    box.hidden = !markup;
    if (!markup) return;
    for (const row of markup.keyboard) {
      const line = el("div", "keyboard-row");
      for (const raw of row) {
        const button = typeof raw === "string" ? { text: raw } : raw;
        const tap = el("button", "reply-button", button.text);
        tap.type = "button";
        tap.addEventListener("click", () => {
          if (button.request_location) { openLocation(); geolocate(true); }
          else if (button.request_contact) shareContact();
          else send("text", { text: button.text, via_keyboard: 1 });
        });
        line.append(tap);
      }
      box.append(line);
    }
  }

  function renderCommands() {
    const box = $("commands");
    box.replaceChildren();
    for (const command of state.commands) {
      const item = el("button", "command");
      item.type = "button";
      item.append(el("code", "", "/" + command.command), el("span", "", command.description));
      item.addEventListener("click", () => { box.hidden = true; send("text", { text: "/" + command.command }); });
      box.append(item);
    }
  }

  // The newest message and its buttons are always in view: after every new message, and again when a
  // photo above them finishes loading (it pushes them down). Scrolling up to read stays possible until the
  // next message arrives.
  function scrollToNewest() {
    chat.scrollTop = chat.scrollHeight;
  }
  let following = true;
  chat.addEventListener("load", () => { if (following) scrollToNewest(); }, true);  // images (load does not bubble)
  chat.addEventListener("scroll", () => {
    following = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
  });

  function render(grew) {
    const entries = [...state.messages.values()].sort((a, b) => a.message.message_id - b.message.message_id);
    chat.replaceChildren(...entries.map(renderEntry));
    renderReplyKeyboard();
    renderCommands();
    if (grew || following || !state.loaded) {
      following = true;
      scrollToNewest();
    }
  }

  function apply(data) {
    if (data.reset) state.messages.clear();
    const before = state.messages.size;
    for (const entry of data.messages) state.messages.set(entry.message.message_id, entry);
    const grew = state.messages.size > before;
    if (state.loaded) for (const text of data.notices) notice(text);
    state.after = data.seq;
    state.keyboard = data.reply_keyboard;
    state.commands = data.commands;
    render(grew);
    state.loaded = true;
  }

  function startAsNewUser() {
    localStorage.setItem("sandbox_user", String(newUserId()));
    const next = new URLSearchParams(location.search);
    next.delete("user");
    location.search = next.toString();
  }

  async function poll() {
    for (;;) {
      try {
        const wait = state.loaded ? 20 : 0;
        const response = await fetch(`/sandbox/api/messages?chat_id=${userId}&after=${state.after}&wait=${wait}`);
        if (response.status === 403) {
          // Another browser chats as this person (its chat is not ours to read): become someone new.
          notice((await response.json()).error, true);
          await sleep(2500);
          startAsNewUser();
          return;
        }
        if (!response.ok) throw new Error(String(response.status));
        apply(await response.json());
      } catch (error) {
        notice(T.offline);
        await sleep(1500);
      }
    }
  }
  poll();
})();
