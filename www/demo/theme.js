// The demo store's own theme code: a cart in localStorage, "load more", checkout.
// It talks to aisle only through the public queue API, as a merchant's theme would.
(function () {
  var KEY = 'demo-store:cart';
  function cart() { try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return window.__demoCart || []; } }
  function save(lines) { try { localStorage.setItem(KEY, JSON.stringify(lines)); } catch (e) { window.__demoCart = lines; } count(); }
  function count() { var el = document.getElementById('cart-count'); if (el) el.textContent = cart().reduce(function (n, l) { return n + l.quantity; }, 0); }
  window.aisle = window.aisle || [];

  document.addEventListener('click', function (event) {
    var target = /** @type {HTMLElement} */ (event.target);
    var add = /** @type {HTMLElement | null} */ (target.closest('.add-to-cart'));
    if (add) {
      var lines = cart(), id = add.dataset.productId, line = lines.find(function (l) { return l.id === id; });
      if (line) line.quantity += 1; else lines.push({ id: id, title: add.dataset.title, price: Number(add.dataset.price), quantity: 1 });
      save(lines);
      window.aisle.push(['addToCart', id, 1, Number(add.dataset.price)]);
      add.textContent = 'Added ✓';
    }
    var remove = /** @type {HTMLElement | null} */ (target.closest('.remove'));
    if (remove) {
      save(cart().filter(function (l) { return l.id !== remove.dataset.productId; }));
      window.aisle.push(['removeFromCart', remove.dataset.productId]);
      renderCart();
    }
    if (target.id === 'checkout') {
      var order = cart();
      if (!order.length) return;
      var revenue = order.reduce(function (s, l) { return s + l.price * l.quantity; }, 0);
      window.aisle.push(['purchase', { orderId: 'demo-' + Date.now(), revenue: Math.round(revenue * 100) / 100, currency: 'USD',
        items: order.map(function (l) { return { id: l.id, quantity: l.quantity, price: l.price }; }) }]);
      save([]);
      renderCart();
      document.getElementById('order-done').hidden = false;
    }
    if (target.id === 'load-more') {
      // Like infinite scroll: the theme appends cards later; aisle orders the new ones.
      var grid = document.getElementById('grid');
      JSON.parse(target.dataset.more).forEach(function (p) {
        var li = document.createElement('li');
        li.className = 'product-card';
        li.dataset.productId = p.id;
        li.dataset.category = p.category;
        var a = document.createElement('a');
        a.href = '/p/' + encodeURIComponent(p.id) + '.html';
        var thumb = document.createElement('div'); thumb.className = 'thumb'; thumb.textContent = p.brandTitle;
        var h3 = document.createElement('h3'); h3.textContent = p.title;
        a.appendChild(thumb); a.appendChild(h3); li.appendChild(a);
        var pr = document.createElement('p'); pr.className = 'price'; pr.textContent = '$' + Number(p.price).toFixed(2);
        li.appendChild(pr);
        grid.appendChild(li);
      });
      target.remove();
    }
  });

  function renderCart() {
    var list = document.getElementById('cart-lines');
    if (!list) return;
    list.textContent = '';
    var total = 0;
    cart().forEach(function (l) {
      total += l.price * l.quantity;
      var li = document.createElement('li');
      li.textContent = l.quantity + ' × ' + l.title + ' — $' + (l.price * l.quantity).toFixed(2) + ' ';
      var b = document.createElement('button'); b.className = 'remove'; b.dataset.productId = l.id; b.textContent = 'Remove';
      li.appendChild(b); list.appendChild(li);
    });
    document.getElementById('cart-total').textContent = 'Total: $' + total.toFixed(2);
  }
  count();
  renderCart();
})();
