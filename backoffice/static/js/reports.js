/* Informe mensual charts (Chart.js served from /static/vendor). Data comes from the JSON block
   #report-data; clicking a bar opens the queue (queue.index) on exactly the cases that bar counts:
   ?cifra=<figure>&mes=<month> plus the bar's estado, canal or tipo (core/report_links.py). */
(function () {
  "use strict";
  var node = document.getElementById("report-data");
  if (!node || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  Chart.defaults.animation = false;  /* figures, not a show: draw at once */
  var report = data.report, labels = data.labels;

  function queueLink(figure, extra) {
    if (!data.queue_url) { return null; }
    var params = new URLSearchParams(Object.assign({ cifra: figure }, data.queue, extra || {}));
    if (report.estado && !params.get("estado")) { params.set("estado", report.estado); }
    return data.queue_url + "?" + params.toString();
  }

  function onBarClick(linkFor) {
    return function (_event, elements) {
      if (!elements.length) { return; }
      var url = linkFor(elements[0].index, elements[0].datasetIndex);
      if (url) { window.location.href = url; }
    };
  }

  function pct(v) { return v === null || v === undefined ? null : Math.round(v * 1000) / 10; }

  function make(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { return new Chart(canvas, config); }
  }

  var trend = report.tendencia;
  make("chart-trend", {
    type: "line",
    data: {
      labels: trend.map(function (t) { return t.mes; }),
      datasets: [
        { label: labels.casos_registrados, data: trend.map(function (t) { return t.casos_registrados; }) },
        { label: labels.volantes_abiertos, data: trend.map(function (t) { return t.volantes_abiertos; }) },
        { label: labels.volantes_respondidos, data: trend.map(function (t) { return t.volantes_respondidos; }) },
        { label: labels.concluidos, data: trend.map(function (t) { return t.concluidos; }) },
        { label: labels.pct_en_plazo, data: trend.map(function (t) { return pct(t.pct_en_plazo); }), yAxisID: "pct" }
      ]
    },
    options: { scales: { y: { beginAtZero: true }, pct: { position: "right", min: 0, max: 100 } } }
  });

  var ranked = report.ranking_estados.clasificados;
  make("chart-estados", {
    type: "bar",
    data: {
      labels: ranked.map(function (e) { return e.etiqueta + " (n=" + e.n + ")"; }),
      datasets: [{ label: labels.pct_en_plazo, data: ranked.map(function (e) { return pct(e.pct_en_plazo); }) }]
    },
    options: {
      indexAxis: "y", scales: { x: { min: 0, max: 100 } },
      onClick: onBarClick(function (i) { return queueLink("volantes_respondidos", { estado: ranked[i].clave }); })
    }
  });

  var BREAKDOWN_FIGURES = ["casos_registrados", "volantes_abiertos", "volantes_vencidos"];
  function breakdownChart(id, rows, param) {
    make(id, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.etiqueta; }),
        datasets: [
          { label: labels.casos_registrados, data: rows.map(function (r) { return r.actual.casos_registrados; }) },
          { label: labels.volantes_abiertos, data: rows.map(function (r) { return r.actual.volantes_abiertos; }) },
          { label: labels.volantes_vencidos, data: rows.map(function (r) { return r.actual.volantes_vencidos; }) }
        ]
      },
      options: {
        scales: { y: { beginAtZero: true } },
        onClick: onBarClick(function (i, dataset) {
          var extra = {}; extra[param] = rows[i].clave;
          return queueLink(BREAKDOWN_FIGURES[dataset], extra);
        })
      }
    });
  }
  breakdownChart("chart-tipo", report.por_tipo, "tipo");
  breakdownChart("chart-canal", report.por_canal, "canal");

  var t = report.total;
  make("chart-plazo", {
    type: "bar",
    data: {
      labels: ["Respondidos en plazo", "Respondidos fuera de plazo", "Vencidos"],
      datasets: [{ label: "Volantes", data: [t.respondidos_en_plazo, t.volantes_respondidos - t.respondidos_en_plazo, t.volantes_vencidos] }]
    },
    options: {
      plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } },
      onClick: onBarClick(function (i) {
        return queueLink(["respondidos_en_plazo", "respondidos_fuera_de_plazo", "volantes_vencidos"][i]);
      })
    }
  });
})();
