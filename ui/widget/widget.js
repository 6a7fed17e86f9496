/* ShopAssist chat widget: one line on any page adds a floating chat button.
 *
 *   <script src="https://assistant.example.com/widget.js" data-title="Ask our assistant"></script>
 *
 * Options (data-*): data-server (default: where this script came from), data-title, data-color.
 * The page's origin must be listed in SHOPASSIST_SERVE__CORS_ORIGINS on the server.
 * Product cards are clickable and have an "Add to cart" button; replies have thumbs up/down.
 * Each is reported to the server (POST /widget/event) and dispatched on `window` so the store
 * can act on it:
 *   window.addEventListener("shopassist:add-to-cart", function (e) { myCart.add(e.detail.product_id); });
 *   window.addEventListener("shopassist:product-click", function (e) { location.href = "/p/" + e.detail.product_id; });
 * Everything lives in a shadow root, so the store's CSS and ours never mix.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__shopassistWidget) return;
  window.__shopassistWidget = true;
  var server = (script.dataset.server || new URL(script.src).origin).replace(/\/$/, "");
  var title = script.dataset.title || "ShopAssist";
  var color = script.dataset.color || "#2563eb";
  var storageKey = "shopassist-session:" + server;

  var host = document.createElement("div");
  host.id = "shopassist-widget";
  document.body.appendChild(host);
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" +
    ":host{all:initial;font:14px/1.4 system-ui,sans-serif}" +
    ".button{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:" + color + ";color:#fff;font-size:26px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483646}" +
    ".panel{position:fixed;right:20px;bottom:88px;width:340px;max-width:calc(100vw - 40px);height:460px;background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);display:none;flex-direction:column;overflow:hidden;z-index:2147483647}" +
    ".panel.open{display:flex}" +
    ".head{background:" + color + ";color:#fff;padding:10px 14px;font-weight:600}" +
    ".log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:8px}" +
    ".msg{padding:8px 10px;border-radius:10px;max-width:85%;white-space:pre-wrap}" +
    ".user{align-self:flex-end;background:" + color + ";color:#fff}" +
    ".assistant{align-self:flex-start;background:#f1f5f9;color:#111}" +
    ".cards{display:flex;gap:6px;overflow-x:auto}" +
    ".card{border:1px solid #e2e8f0;border-radius:8px;padding:6px;min-width:120px;font-size:12px;cursor:pointer;display:flex;flex-direction:column;gap:4px}" +
    ".card:hover,.card:focus{border-color:" + color + ";outline:none}" +
    ".cart{align-self:flex-start;border:1px solid " + color + ";background:#fff;color:" + color + ";border-radius:6px;font:inherit;padding:1px 6px;cursor:pointer}" +
    ".cart:disabled{border-color:#16a34a;color:#16a34a;cursor:default}" +
    ".rate{align-self:flex-start;display:flex;gap:4px}" +
    ".rate button{display:flex;border:1px solid #e2e8f0;background:#fff;color:#94a3b8;border-radius:6px;padding:2px 5px;cursor:pointer}" +
    ".rate button:hover{color:#475569}" +
    ".rate button[aria-pressed=true]{border-color:" + color + ";color:" + color + ";background:#eff6ff}" +
    ".note{font-size:12px;color:#b45309}" +
    "form{display:flex;border-top:1px solid #e2e8f0}" +
    "input{flex:1;border:0;padding:10px;font:inherit;outline:none}" +
    "form button{border:0;background:none;color:" + color + ";font-weight:600;padding:0 12px;cursor:pointer}" +
    "</style>" +
    '<button class="button" part="button" aria-label="Open chat"><svg width="26" height="26" viewBox="0 0 24 24" fill="#fff"><path d="M4 4h16v12H7l-3 3z"/></svg></button>' +
    '<div class="panel" role="dialog" aria-label="' + title + '"><div class="head"></div><div class="log" aria-live="polite"></div>' +
    '<form><input name="message" autocomplete="off" placeholder="Ask about products, orders, returns..." maxlength="2000">' +
    '<button type="submit">Send</button></form></div>';
  var panel = root.querySelector(".panel");
  var log = root.querySelector(".log");
  var form = root.querySelector("form");
  var input = root.querySelector("input");
  root.querySelector(".head").textContent = title;
  root.querySelector(".button").addEventListener("click", function () {
    panel.classList.toggle("open");
    if (panel.classList.contains("open")) input.focus();
  });

  function bubble(role, text) {
    var div = document.createElement("div");
    div.className = "msg " + role;
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  // Tell the server (analytics) and the store's page (window event) what the shopper did.
  var pageEvents = { click: "shopassist:product-click", add_to_cart: "shopassist:add-to-cart" };
  function report(event, detail) {
    if (detail) window.dispatchEvent(new CustomEvent(pageEvents[event.type], { detail: detail }));
    var session = localStorage.getItem(storageKey);
    if (!session) return Promise.resolve(false);
    event.session_id = session;
    return fetch(server + "/widget/event", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(event),
    }).then(function (response) { return response.ok; }, function () { return false; });
  }

  function cards(products) {
    if (!products.length) return;
    var row = document.createElement("div");
    row.className = "cards";
    products.forEach(function (p) {
      var detail = { product_id: p.id, title: p.title, price: p.price };
      var card = document.createElement("div");
      card.className = "card";
      card.tabIndex = 0;
      card.setAttribute("role", "button");
      card.dataset.productId = p.id;
      var label = document.createElement("span");
      label.textContent = p.title + (p.price != null ? " · $" + p.price.toFixed(2) : "") + (p.rating != null ? " · ★" + p.rating : "");
      var cart = document.createElement("button");
      cart.className = "cart";
      cart.type = "button";
      cart.textContent = "Add to cart";
      card.append(label, cart);
      card.addEventListener("click", function () { report({ type: "click", product_id: p.id }, detail); });
      card.addEventListener("keydown", function (event) { if (event.key === "Enter" && event.target === card) card.click(); });
      cart.addEventListener("click", function (event) {
        event.stopPropagation();  // adding to the cart is not also a card click
        cart.disabled = true;
        report({ type: "add_to_cart", product_id: p.id }, detail).then(function (ok) {
          cart.textContent = ok ? "Added ✓" : "Add to cart";
          cart.disabled = ok;
        });
      });
      row.appendChild(card);
    });
    log.appendChild(row);
  }

  function thumbs(replyId) {
    var row = document.createElement("div");
    row.className = "rate";
    [[1, "", "Helpful"], [-1, ' transform="rotate(180 12 12)"', "Not helpful"]].forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.innerHTML = '<svg width="14" height="14" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path' + choice[1] +
        ' d="M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z"/></svg>';
      button.title = choice[2];
      button.setAttribute("aria-label", choice[2]);
      button.setAttribute("aria-pressed", "false");
      button.dataset.value = choice[0];
      button.addEventListener("click", function () {
        if (button.getAttribute("aria-pressed") === "true") return;
        report({ type: "rating", reply_id: replyId, value: choice[0] }).then(function (ok) {
          if (!ok) { button.title = "Could not send your rating; try again"; return; }
          row.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
          button.title = choice[2];
        });
      });
      row.appendChild(button);
    });
    log.appendChild(row);
  }

  function handle(event, reply) {
    if (event.type === "session") localStorage.setItem(storageKey, event.session_id);
    else if (event.type === "products") cards(event.products);
    else if (event.type === "token") reply.textContent += event.text;
    else if (event.type === "done") {
      if (!reply.textContent) reply.textContent = event.text;
      reply.dataset.done = "true";
      if (event.reply_id) {
        reply.dataset.replyId = event.reply_id;
        thumbs(event.reply_id);
      }
      if (event.handoff) bubble("note", "A member of our team will follow up on this conversation.");
    } else if (event.type === "error") {
      reply.textContent = "Sorry, something went wrong: " + event.message;
      reply.dataset.done = "true";
    }
    log.scrollTop = log.scrollHeight;
  }

  async function send(text) {
    bubble("user", text);
    var reply = bubble("assistant", "");
    var body = { message: text };
    var session = localStorage.getItem(storageKey);
    if (session) body.session_id = session;
    try {
      var response = await fetch(server + "/widget/chat", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      if (!response.ok) {
        var problem = await response.json().catch(function () { return {}; });
        throw new Error((problem.error && problem.error.message) || response.statusText);
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) break;
        buffer += decoder.decode(chunk.value, { stream: true });
        var parts = buffer.split("\n\n");
        buffer = parts.pop();
        parts.forEach(function (part) {
          if (part.indexOf("data: ") === 0) handle(JSON.parse(part.slice(6)), reply);
        });
      }
    } catch (error) {
      handle({ type: "error", message: error.message }, reply);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
})();
