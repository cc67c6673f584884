/* global requirejs, $ */
(function () {
  'use strict';
  var query = new URLSearchParams(location.search);
  var scriptUrl = query.get('script') || '/widget/script.js';
  if (query.has('api')) window.DEALCOPY_API_BASE = query.get('api');

  function parseIds(text) {
    var ids = [];
    String(text || '').split(',').forEach(function (part) {
      var range = part.split('-').map(Number);
      if (range.length === 2 && range[0] && range[1]) for (var i = range[0]; i <= range[1]; i++) ids.push(i);
      else if (Number(part)) ids.push(Number(part));
    });
    return ids;
  }

  var state = {
    user: Number(query.get('user') || 5000001),
    lang: query.get('lang') || 'ru',
    lead: Number(query.get('lead') || 20000001),
    leads: parseIds(query.get('leads') || '20000001-20000060'),
    settings: JSON.parse(localStorage.getItem('dealcopy-harness-settings') || '{}'),
  };
  if (query.has('settings')) state.settings = { config: query.get('settings') };
  document.getElementById('user').value = state.user;
  document.getElementById('lang').value = state.lang;
  document.getElementById('lead').value = state.lead;
  document.getElementById('user').onchange = function (e) { state.user = Number(e.target.value); };
  document.getElementById('lang').onchange = function (e) { state.lang = e.target.value; };
  document.getElementById('lead').onchange = function (e) { state.lead = Number(e.target.value); };

  function status(text) {
    document.getElementById('status').textContent = text;
  }

  // amoCRM's globals (API-NOTES §15.4).
  var area = 'llist';
  window.APP = {
    getBaseEntity: function () { return 'leads'; },
    isCard: function () { return area === 'lcard'; },
    getWidgetsArea: function () { return area === 'lcard' ? 'leads_card' : 'leads'; },
    get lang_id() { return state.lang; },
    constant: function (name) {
      if (name === 'user') return { id: state.user, name: 'Harness user ' + state.user };
      if (name === 'account') return { id: 31000001, subdomain: 'dealcopy-demo' };
      return undefined;
    },
    data: { current_card: false },
  };

  function show(name) {
    ['card', 'list', 'settings', 'dp'].forEach(function (n) {
      document.getElementById('area-' + n).hidden = n !== name;
    });
  }

  requirejs.config({ paths: { jquery: 'jquery.min' } });
  requirejs(['jquery', scriptUrl], function ($, Widget) {
    var widget = new Widget();

    // What amoCRM adds to the widget object (API-NOTES §15.3).
    widget.params = { widget_code: 'dealcopy_harness', path: '/widget', version: '1.0.0' };
    widget.system = function () { return { area: area, amouser_id: state.user, subdomain: 'dealcopy-demo' }; };
    widget.get_settings = function () { return $.extend({ widget_code: 'dealcopy_harness' }, state.settings); };
    widget.set_settings = function (values) { $.extend(state.settings, values); };
    widget.i18n = function (key) { return key; };
    widget.render_template = function (options) {
      var block = document.getElementById('widgets_block');
      block.innerHTML = '<div class="card-widgets__widget ' + (options.caption && options.caption.class_name || '') + '">' + (options.render || '') + '</div>';
    };
    widget.list_selected = function () {
      var selected = $('#list-rows input:checked').map(function () {
        return { id: Number(this.value), type: 'lead', emails: [], phones: [] };
      }).get();
      return { selected: selected, summary: { items: selected.length, emails: 0, phones: 0 } };
    };
    // $authorizedAjax: amoCRM adds a fresh disposable JWT as X-Auth-Token; here the Host's sandbox mints it.
    widget.$authorizedAjax = function (options) {
      var result = $.Deferred();
      $.ajax({ url: '/sandbox/widget-token', data: { user_id: state.user }, dataType: 'json', cache: false })
        .done(function (answer) {
          var headers = $.extend({}, options.headers, { 'X-Auth-Token': answer.token });
          $.ajax($.extend({}, options, { headers: headers }))
            .done(function (data, text, xhr) { result.resolve(data, text, xhr); })
            .fail(function (xhr, text, error) { result.reject(xhr, text, error); });
        })
        .fail(function (xhr, text, error) { result.reject(xhr, text, error); });
      return result.promise();
    };

    function call(name) {
      var parts = name.split('.');
      var fn = parts.length === 2 ? widget.callbacks[parts[0]][parts[1]] : widget.callbacks[name];
      var args = Array.prototype.slice.call(arguments, 1);
      var value;
      try {
        value = fn.apply(widget, args);
      } catch (error) {
        status(name + ' threw ' + error);
        throw error;
      }
      status(name + ' → ' + value);
      return value;
    }
    window.dealcopyHarness = { widget: widget, call: call, state: state };

    // The list: rows with checkboxes.
    var rows = document.getElementById('list-rows');
    rows.innerHTML = state.leads.map(function (id) {
      return '<tr><td><input type="checkbox" value="' + id + '" data-testid="row-' + id + '"></td><td>Сделка #' + id + '</td></tr>';
    }).join('');
    function count() { $('#checked-count').text($('#list-rows input:checked').length); }
    $(rows).on('change', 'input', count);
    $('#check-all').on('change', function () { $('#list-rows input').prop('checked', this.checked); count(); });

    $('#btn-card').on('click', function () {
      call('destroy');
      area = 'lcard';
      APP.data.current_card = { id: state.lead };
      $('#card-id').text(state.lead);
      show('card');
      if (call('render') === true && call('init') === true) call('bind_actions');
    });
    $('#btn-list').on('click', function () {
      call('destroy');
      area = 'llist';
      APP.data.current_card = false;
      show('list');
      if (call('render') === true && call('init') === true) call('bind_actions');
    });
    $('#btn-mass').on('click', function () { call('leads.selected'); });
    $('#btn-settings').on('click', function () {
      call('destroy');
      area = 'settings';
      APP.data.current_card = false;
      show('settings');
      var body = $('#settings-body').empty();
      call('settings', body);
    });
    $('#btn-save').on('click', function () {
      var value = call('onSave');
      $.when(value).done(function (ok) {
        if (ok !== true) return;
        state.settings.config = $('#settings-body input[name="config"]').val();
        localStorage.setItem('dealcopy-harness-settings', JSON.stringify(state.settings));
        $('#saved-settings').text(state.settings.config);
      });
    });
    $('#btn-dp').on('click', function () {
      call('destroy');
      area = 'digital_pipeline';
      show('dp');
      $('.dealcopy-dp-mount').remove();
      call('dpSettings');
    });
    $('#btn-dp-save').on('click', function () {
      $('#dp-saved').text(JSON.stringify({ key: $('#dp-form [name=key]').val(), rule: $('#dp-form [name=rule]').val() }));
    });
    $('#btn-destroy').on('click', function () { call('destroy'); });

    show('list');
    status('ready');
    document.body.setAttribute('data-harness-ready', '1');
  }, function (error) {
    status('could not load ' + scriptUrl + ': ' + error);
  });
})();
