/*
 * Carteiro's progressive enhancement. Every page works without this file: links are links
 * and every change is a POST form with its CSRF token. This script only makes the same
 * requests without reloading the page, and adds shortcuts, drag and drop, upload progress
 * and live updates. Whenever something unexpected happens it steps aside and lets the
 * browser do the plain navigation or submission.
 *
 * Hooks it relies on (kept by the templates): main#main, nav.folders with a[data-folder],
 * table.messages rows (input[name=uid], td.subject a), form[data-actions] (list and message
 * toolbars), [data-shortcut] links and fields, dialog#shortcuts, [data-upload-progress].
 * Elements with an id and a data-pane attribute are swapped along with #main.
 * Words come from the page (data attributes), never from here.
 */
(function () {
  'use strict';
  if (!window.fetch || !window.DOMParser || !history.pushState) return;

  var script = document.currentScript;
  var base = (script && script.dataset.base) || '';
  var parser = new DOMParser();
  var loading = null; // the AbortController of the navigation under way

  var $ = function (selector, root) { return (root || document).querySelector(selector); };
  var $$ = function (selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  };
  /** A signed-in page with the sidebar: the only kind this script enhances. */
  var isAppPage = function (doc) { return !!($('main#main', doc) && $('nav.folders', doc)); };

  /* ---------------------------------------------------------------- navigation -- */

  /** The URL to load in place for a click on `a`, or null to leave the click alone. */
  function ownLink(a, event) {
    if (event.defaultPrevented || event.button !== 0) return null;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
    if (a.hasAttribute('download') || (a.target && a.target !== '_self')) return null;
    var url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.indexOf(base + '/') !== 0) return null;
    // Sources, parts, message bodies, downloads and static files are not pages.
    if (/\/\d+\/(raw|body|part)(\/|$)/.test(url.pathname) || url.searchParams.has('download')) return null;
    if (url.pathname.indexOf(base + '/static/') === 0) return null;
    // An anchor on this page (the skip link) scrolls as usual.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return null;
    return url;
  }

  document.addEventListener('click', function (event) {
    var a = event.target.closest && event.target.closest('a[href]');
    if (!a || !isAppPage(document)) return;
    var url = ownLink(a, event);
    if (!url) return;
    event.preventDefault();
    visit(url.href, { push: true });
  });

  /**
   * Loads `url` (GET, or POST with `body`) and shows the answer in place. `fallback` is
   * what to do if the request never got an answer (by default: navigate normally).
   */
  function visit(url, options) {
    options = options || {};
    if (loading) loading.abort();
    var controller = new AbortController();
    loading = controller;
    var method = options.body ? 'POST' : 'GET';
    document.documentElement.classList.add('app-loading');
    var answer;
    return fetch(url, {
      method: method, body: options.body, credentials: 'same-origin', signal: controller.signal,
      headers: { Accept: 'text/html' },
    }).then(function (response) {
      answer = response;
      var type = response.headers.get('content-type') || '';
      if (type.indexOf('text/html') !== 0) throw new Error('not a page');
      return response.text();
    }).then(function (html) {
      show(parser.parseFromString(html, 'text/html'), answer.url, method, options);
    }).catch(function (error) {
      if (controller.signal.aborted) return;
      if (window.console) console.warn('carteiro: loading the page normally:', error);
      if (answer) location.assign(answer.url); // an answer that is no page: let the browser have it
      else if (options.fallback) options.fallback();
      else location.assign(url);
    }).then(function () {
      if (loading === controller) {
        loading = null;
        document.documentElement.classList.remove('app-loading');
      }
    });
  }

  /** Puts a fetched page on screen: swap the panes, or the whole body when the page differs. */
  function show(doc, url, method, options) {
    var sameLanguage = doc.documentElement.lang === document.documentElement.lang;
    if (!isAppPage(doc) || !sameLanguage) {
      // Signed out, an error page, another language: a GET is simply loaded for real; the
      // answer to a POST is shown as it came (loading it again would repeat the action).
      if (method === 'GET') { location.assign(url); return; }
      if (source) { source.close(); source = null; }
      document.documentElement.lang = doc.documentElement.lang;
      document.title = doc.title;
      document.body.replaceWith(document.adoptNode(doc.body));
      history.pushState({}, '', url);
      return;
    }
    var samePath = new URL(url).pathname === location.pathname;
    var cursorIndex = cursor;
    if (options.push) {
      history.replaceState(Object.assign({}, history.state, { scroll: scrollY }), '');
    }
    swapPanes(doc);
    if (options.push) history.pushState({ scroll: 0 }, '', url);
    pageChanged();
    if (options.scroll !== undefined) window.scrollTo(0, options.scroll);
    else if (!samePath) window.scrollTo(0, 0);
    // Back on the same list after an action: the cursor stays where it was.
    if (samePath && cursorIndex >= 0 && rows().length) moveCursor(Math.min(cursorIndex, rows().length - 1));
    else focusHeading();
  }

  function swapPanes(doc) {
    document.title = doc.title;
    var selectors = ['main#main', 'nav.folders'].concat($$('[id][data-pane]').map(function (e) {
      return '#' + CSS.escape(e.id);
    }));
    selectors.forEach(function (selector) {
      var old = $(selector);
      var fresh = $(selector, doc);
      if (old && fresh) old.replaceWith(document.adoptNode(fresh));
    });
  }

  /** For screen readers and keyboards: the new page starts at its heading. */
  function focusHeading() {
    var heading = $('main#main h1');
    if (!heading) return;
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }

  window.addEventListener('popstate', function (event) {
    if (!isAppPage(document)) { location.reload(); return; }
    var scroll = event.state && event.state.scroll;
    visit(location.href, { push: false, scroll: scroll || 0 });
  });

  /* --------------------------------------------------------------------- forms -- */

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.dataset.native || !isAppPage(document)) return;
    var submitter = event.submitter;
    // (Attributes, not properties: the list form has fields named "action" and "target".)
    if (form.getAttribute('target') || (submitter && submitter.getAttribute('formtarget'))) return;
    var method = ((submitter && submitter.getAttribute('formmethod')) || form.getAttribute('method') || 'get').toLowerCase();
    if (method === 'dialog') return;
    var action = new URL((submitter && submitter.getAttribute('formaction')) || form.getAttribute('action') || location.href, location.href);
    if (action.origin !== location.origin || action.pathname.indexOf(base + '/') !== 0) return;
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    event.preventDefault();
    if (method === 'get') {
      action.search = new URLSearchParams(data).toString();
      visit(action.href, { push: true });
    } else if (form.getAttribute('enctype') === 'multipart/form-data') {
      upload(form, action.href, data, submitter);
    } else {
      visit(action.href, {
        push: true,
        body: new URLSearchParams(data),
        fallback: function () { submitNatively(form, submitter); },
      });
    }
  });

  /** The plain submission, this script out of the way. */
  function submitNatively(form, submitter) {
    form.dataset.native = '1';
    if (submitter) form.requestSubmit(submitter); else form.requestSubmit();
  }

  /**
   * Compose: the form with its files goes up through XMLHttpRequest, whose upload events
   * fill the progress bar (fetch reports no upload progress). The answer replaces the page
   * as a normal submission would; the server's size limit and its error page apply as ever.
   */
  function upload(form, url, data, submitter) {
    var box = $('[data-upload-progress]', form);
    var bar = box && $('progress', box);
    var files = [];
    $$('input[type=file]', form).forEach(function (input) { files = files.concat(Array.prototype.slice.call(input.files)); });
    var hasFiles = files.length > 0;
    // More than the server takes: say so now rather than after uploading it all.
    var limit = Number(form.dataset.maxBytes) || 0;
    var tooLarge = $('[data-upload-too-large]', form);
    var total = files.reduce(function (sum, file) { return sum + file.size; }, 0);
    if (tooLarge) tooLarge.hidden = !(limit && total > limit);
    if (tooLarge && !tooLarge.hidden) return;
    var xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'text/html');
    if (bar && hasFiles) {
      box.hidden = false;
      bar.value = 0;
      xhr.upload.addEventListener('progress', function (event) {
        if (!event.lengthComputable) return;
        bar.max = event.total;
        bar.value = event.loaded;
      });
    }
    form.setAttribute('aria-busy', 'true');
    $$('button', form).forEach(function (button) { button.disabled = true; });
    xhr.addEventListener('load', function () {
      var type = xhr.getResponseHeader('content-type') || '';
      if (type.indexOf('text/html') !== 0) { location.assign(xhr.responseURL || url); return; }
      show(parser.parseFromString(xhr.responseText, 'text/html'), xhr.responseURL || url, 'POST', { push: true });
    });
    // No answer at all: the browser tries the same submission itself.
    xhr.addEventListener('error', function () {
      $$('button', form).forEach(function (button) { button.disabled = false; });
      submitNatively(form, submitter);
    });
    xhr.send(data);
  }

  /* ------------------------------------------------------------------ the list -- */

  var cursor = -1; // index of the row under the keyboard cursor, -1 for none
  var lastTicked = null; // the checkbox clicked last, where a shift-click range starts

  function rows() {
    return $$('main#main table.messages tbody tr').filter(function (row) { return $('td.subject a', row); });
  }
  var boxes = function () { return $$('main#main table.messages input[name=uid]'); };
  var listForm = function () { return $('main#main form[data-actions=list]'); };

  function moveCursor(index) {
    var all = rows();
    if (!all.length) return;
    cursor = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) { row.classList.toggle('cursor', i === cursor); });
    var link = $('td.subject a', all[cursor]);
    link.focus();
    all[cursor].scrollIntoView({ block: 'nearest' });
  }

  document.addEventListener('click', function (event) {
    var box = event.target.closest && event.target.closest('table.messages input[name=uid]');
    if (!box) return;
    var all = boxes();
    if (event.shiftKey && lastTicked && lastTicked !== box && all.indexOf(lastTicked) >= 0) {
      var from = Math.min(all.indexOf(lastTicked), all.indexOf(box));
      var to = Math.max(all.indexOf(lastTicked), all.indexOf(box));
      all.slice(from, to + 1).forEach(function (b) { b.checked = box.checked; });
    }
    lastTicked = box;
    // "Select every message on this page" stays true to the ticks.
    var pageAll = $('input[name=page_all]', listForm() || undefined);
    if (pageAll && !box.checked) pageAll.checked = false;
  });

  document.addEventListener('change', function (event) {
    if (!event.target.matches('form[data-actions=list] input[name=page_all]')) return;
    boxes().forEach(function (b) { b.checked = event.target.checked; });
  });

  /** Ticks exactly `uids` and submits the list form with `action` (and `target`). */
  function actOnList(action, uids, target) {
    var form = listForm();
    if (!form || !uids.length) return false;
    var button = $('button[name=action][value="' + action + '"]', form);
    if (!button) return false;
    if (target !== undefined) {
      var select = $('select[name=target]', form);
      var known = select && Array.prototype.some.call(select.options, function (o) { return o.value === target; });
      if (!known) return false;
      select.value = target;
    }
    $$('input[name=page_all], input[name=all]', form).forEach(function (b) { b.checked = false; });
    boxes().forEach(function (b) { b.checked = uids.indexOf(b.value) >= 0; });
    form.requestSubmit(button);
    return true;
  }

  /** The ticked messages, or the one under the cursor when none is ticked. */
  function chosenUids() {
    var ticked = boxes().filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    if (ticked.length) return ticked;
    var row = rows()[cursor];
    var box = row && $('input[name=uid]', row);
    return box ? [box.value] : [];
  }

  /* ------------------------------------------------------------ drag and drop -- */

  var dragged = null; // UIDs being dragged

  document.addEventListener('dragstart', function (event) {
    var row = event.target.closest && event.target.closest('main#main table.messages tbody tr');
    var box = row && $('input[name=uid]', row);
    if (!box || !listForm()) return;
    dragged = box.checked ? chosenUids() : [box.value];
    event.dataTransfer.effectAllowed = 'move';
    var link = $('td.subject a', row);
    event.dataTransfer.setData('text/plain', link ? link.textContent : '');
  });
  document.addEventListener('dragend', function () { dragged = null; clearDrop(); });

  function dropTarget(event) {
    var a = dragged && event.target.closest && event.target.closest('nav.folders a[data-folder]');
    return a && !a.matches('[aria-current]') ? a : null;
  }
  function clearDrop() {
    $$('nav.folders .drop-target').forEach(function (a) { a.classList.remove('drop-target'); });
  }
  document.addEventListener('dragover', function (event) {
    var a = dropTarget(event);
    if (!a) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    if (!a.classList.contains('drop-target')) { clearDrop(); a.classList.add('drop-target'); }
  });
  document.addEventListener('dragleave', function (event) {
    var a = dropTarget(event);
    if (a && !a.contains(event.relatedTarget)) a.classList.remove('drop-target');
  });
  document.addEventListener('drop', function (event) {
    var a = dropTarget(event);
    if (!a) return;
    event.preventDefault();
    var uids = dragged;
    dragged = null;
    clearDrop();
    actOnList('move', uids, a.dataset.folder);
  });

  /* ------------------------------------------------------- keyboard shortcuts -- */

  var afterG = false; // "g" was pressed: "i" goes to the inbox

  /** The messages around the open one: the list on the page, else the list seen last. */
  function neighbours() {
    var here = location.pathname;
    var urls = rows().map(function (row) { return $('td.subject a', row).pathname; });
    var list = null;
    if (urls.indexOf(here) < 0) {
      try { list = JSON.parse(sessionStorage.getItem('carteiro.list') || 'null'); } catch (e) { list = null; }
      urls = (list && list.urls) || [];
    }
    var i = urls.indexOf(here);
    return { index: i, urls: urls, list: list && list.url };
  }

  function clickShortcut(name) {
    var target = $('[data-shortcut="' + name + '"]');
    if (!target) return false;
    if (target.matches('input, textarea, select')) target.focus(); else target.click();
    return true;
  }

  /** Presses the button of the message toolbar, or of the list form for the chosen rows. */
  function act(action, alternative) {
    var message = $('main#main form[data-actions=message]');
    if (message) {
      var button = $('button[name=action][value="' + action + '"]', message) ||
        (alternative && $('button[name=action][value="' + alternative + '"]', message));
      if (button) message.requestSubmit(button);
      return !!button;
    }
    var uids = chosenUids();
    if (alternative) {
      // Star when any chosen message has no star, else take the stars off.
      var starred = uids.every(function (uid) {
        var box = $('input[name=uid][value="' + uid + '"]', listForm() || undefined);
        return box && $('.badge.flagged', box.closest('tr'));
      });
      if (starred) action = alternative;
    }
    return actOnList(action, uids);
  }

  var keys = {
    j: function () { return step(1); },
    k: function () { return step(-1); },
    o: open,
    Enter: open,
    u: function () {
      var n = neighbours();
      if (n.index >= 0 && n.list && !$('main#main table.messages')) { visit(n.list, { push: true }); return true; }
      return clickShortcut('back');
    },
    c: function () { return clickShortcut('compose'); },
    r: function () { return clickShortcut('reply'); },
    a: function () { return clickShortcut('reply-all'); },
    f: function () { return clickShortcut('forward'); },
    e: function () { return act('archive'); },
    '#': function () { return act('delete'); },
    s: function () { return act('flag', 'unflag'); },
    '/': function () { return clickShortcut('search'); },
    g: function () { afterG = true; return true; },
    '?': function () { return toggleHelp(); },
  };

  function step(by) {
    if ($('main#main article.message')) {
      var n = neighbours();
      var next = n.index >= 0 ? n.urls[n.index + by] : null;
      if (next) visit(next, { push: true });
      return !!next;
    }
    if (!rows().length) return false;
    moveCursor(cursor < 0 ? 0 : cursor + by);
    return true;
  }

  function open() {
    var row = rows()[cursor];
    if (!row || $('main#main article.message')) return false;
    $('td.subject a', row).click();
    return true;
  }

  document.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    if (!isAppPage(document)) return;
    var target = event.target;
    if (!target.closest || target.closest('input, textarea, select, [contenteditable]')) return;
    var help = $('dialog#shortcuts');
    if (help && help.open) {
      if (event.key === '?') { help.close(); event.preventDefault(); }
      return; // Esc closes the dialog by itself
    }
    // Enter on a link or button does what it always does.
    if (event.key === 'Enter' && target.closest('a, button, summary')) return;
    // A page with text being written (compose, settings) is not left by a stray key.
    if (event.key !== '?' && $('main#main textarea')) return;
    if (afterG) {
      afterG = false;
      if (event.key === 'i') {
        event.preventDefault();
        var inbox = $('nav.folders a[data-folder="INBOX"]');
        visit(inbox ? inbox.href : base + '/mail/INBOX', { push: true });
      }
      return;
    }
    var handler = Object.prototype.hasOwnProperty.call(keys, event.key) && keys[event.key];
    if (handler && handler()) event.preventDefault();
  });

  /* ------------------------------------------------------- help and notifications -- */

  function toggleHelp() {
    var help = $('dialog#shortcuts');
    if (!help || !help.showModal) return false;
    if (help.open) help.close(); else help.showModal();
    return true;
  }

  document.addEventListener('click', function (event) {
    if (event.target.closest('dialog#shortcuts [data-close]')) $('dialog#shortcuts').close();
    if (event.target.closest('#notify-button')) toggleNotifications();
  });

  var notifyWanted = function () {
    try { return localStorage.getItem('carteiro.notify') === 'on'; } catch (e) { return false; }
  };

  function toggleNotifications() {
    var remember = function (on) {
      try { localStorage.setItem('carteiro.notify', on ? 'on' : 'off'); } catch (e) { /* private mode */ }
      showNotifyState();
    };
    if (notifyWanted()) { remember(false); return; }
    // Asked only now, on the reader's own click, as browsers require.
    Notification.requestPermission().then(function (answer) { remember(answer === 'granted'); });
  }

  function showNotifyState() {
    var button = $('#notify-button');
    if (!button) return;
    if (!('Notification' in window)) return;
    button.closest('.notify').hidden = false;
    var on = notifyWanted() && Notification.permission === 'granted';
    button.setAttribute('aria-pressed', on ? 'true' : 'false');
    var state = $('#notify-state');
    state.textContent = on ? state.dataset.on : (Notification.permission === 'denied' ? state.dataset.blocked : '');
  }

  function notifyNewMail(count) {
    var help = $('dialog#shortcuts');
    if (!help || !notifyWanted() || !('Notification' in window)) return;
    if (Notification.permission !== 'granted' || !document.hidden) return;
    var text = (help.dataset.notifyBody || '').replace('{count}', String(count));
    try { new Notification('Carteiro', { body: text, tag: 'carteiro-new-mail' }); } catch (e) { /* not allowed here */ }
  }

  /* ------------------------------------------------------------- live updates -- */

  var source = null;
  var sourceFolder = null;
  var known = {}; // folder -> its last counts

  /** The folder the page shows (the sidebar marks it), or "" for pages of no folder. */
  function currentFolder() {
    var a = $('nav.folders a[data-folder][aria-current]');
    return a ? a.dataset.folder : '';
  }

  function listen() {
    if (!window.EventSource) return;
    var folder = currentFolder();
    if (source && sourceFolder === folder && source.readyState !== EventSource.CLOSED) return;
    if (source) source.close();
    sourceFolder = folder;
    source = new EventSource(base + '/events' + (folder ? '?folder=' + encodeURIComponent(folder) : ''));
    source.addEventListener('folder', function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      var before = known[data.folder];
      known[data.folder] = data;
      document.documentElement.setAttribute('data-live', 'on');
      if (!before) return; // where things stand when the page opened
      if (data.folder === 'INBOX' && data.uidnext > before.uidnext) notifyNewMail(data.uidnext - before.uidnext);
      refresh(data.folder);
    });
  }

  /**
   * Something changed in `folder`: fetch this page again and take its sidebar (the unread
   * counts), and its list too when the reader is looking at the top of that folder's list
   * and is not in the middle of something (ticked messages, a field in use).
   */
  function refresh(folder) {
    if (loading) return;
    var url = location.href;
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } }).then(function (response) {
      var type = response.headers.get('content-type') || '';
      if (!response.ok || type.indexOf('text/html') !== 0) return null;
      return response.text();
    }).then(function (html) {
      if (!html || loading || location.href !== url) return;
      var doc = parser.parseFromString(html, 'text/html');
      if (!isAppPage(doc)) return;
      var active = document.activeElement;
      var nav = $('nav.folders');
      if (!nav.contains(active)) nav.replaceWith(document.adoptNode($('nav.folders', doc)));
      var params = new URL(url).searchParams;
      var topOfList = $('main#main table.messages, main#main p.empty') && !$('main#main article.message') &&
        (params.get('page') || '1') === '1' && !params.get('q');
      var busy = boxes().some(function (b) { return b.checked; }) ||
        (active && active.closest('main#main') && active.matches('input, textarea, select'));
      if (folder !== currentFolder() || !topOfList || busy) return;
      // Keep the reader's place: the row under the cursor (or focused) stays so.
      var row = rows()[cursor] || (active && active.closest('main#main table.messages tbody tr'));
      var uid = row && $('input[name=uid]', row) && $('input[name=uid]', row).value;
      var hadFocus = active && $('main#main').contains(active) && active !== document.body;
      $('main#main').replaceWith(document.adoptNode($('main#main', doc)));
      document.title = doc.title;
      pageChanged();
      var again = uid ? rows().findIndex(function (r) { return $('input[name=uid]', r).value === uid; }) : -1;
      if (again >= 0) {
        if (hadFocus) moveCursor(again);
        else { cursor = again; rows()[again].classList.add('cursor'); }
      }
    }).catch(function () { /* the next change will try again */ });
  }

  /* ---------------------------------------------------- after every new page -- */

  function pageChanged() {
    cursor = -1;
    lastTicked = null;
    var all = rows();
    all.forEach(function (row) { if (listForm()) row.draggable = true; });
    // Remember this list so j/k on a message can go to its neighbours.
    if (all.length && !$('main#main article.message')) {
      var urls = all.map(function (row) { return $('td.subject a', row).pathname; });
      var list = new URL(location.href);
      // Not the notice of an action done here: going back must not announce it again.
      ['done', 'n', 'to', 'undo_from', 'undo_uids', 'undo_to'].forEach(function (key) { list.searchParams.delete(key); });
      try { sessionStorage.setItem('carteiro.list', JSON.stringify({ url: list.href, urls: urls })); } catch (e) { /* full */ }
    }
    showNotifyState();
    listen();
  }

  if (isAppPage(document)) {
    history.scrollRestoration = 'manual'; // restored here, from the state of each entry
    history.replaceState(Object.assign({ scroll: 0 }, history.state), '');
    pageChanged();
  }
})();
