// The land map: each zone's outline and its parcels' boundaries, drawn from the page's own GeoJSON
// (#land-map-data) with the vendored ECharts, coloured by status. No tiles, no map service.
(function () {
  "use strict";

  var COLOURS = { available: "#38a169", reserved: "#d69e2e", taken: "#718096" };
  var ZONE_COLOUR = "#edf2f7";

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function draw(container, zone, data, labels, detailUrl) {
    echarts.registerMap(zone.code, zone.geojson);
    var regions = zone.geojson.features.map(function (feature) {
      var name = feature.properties.name;
      var parcel = data.parcels[name];
      if (!parcel) {
        return { name: name, value: 0, itemStyle: { areaColor: ZONE_COLOUR }, label: { show: false }, silent: true };
      }
      return {
        name: name,
        value: 1,
        itemStyle: { areaColor: COLOURS[parcel.status] || COLOURS.available },
        emphasis: { itemStyle: { areaColor: "#0b3d91" } },
      };
    });
    var chart = echarts.init(container, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          var parcel = data.parcels[item.name];
          if (!parcel) return "";
          // Text only: the tooltip is HTML, so every value is escaped.
          return [parcel.name, labels[parcel.status], parcel.area].map(echarts.format.encodeHTML).join("<br>");
        },
      },
      series: [
        {
          type: "map",
          map: zone.code,
          roam: true,
          selectedMode: false,
          label: { show: false },
          itemStyle: { borderColor: "#334e68", borderWidth: 1 },
          data: regions,
        },
      ],
    });
    chart.on("click", function (item) {
      if (data.parcels[item.name]) {
        window.location.href = detailUrl.replace("CODE", encodeURIComponent(item.name));
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    var data = readJson("land-map-data");
    var labels = readJson("land-status-labels") || {};
    var holder = document.querySelector(".land-maps");
    if (!data || !holder || typeof echarts === "undefined") return;
    var byCode = {};
    data.zones.forEach(function (zone) { byCode[zone.code] = zone; });
    holder.querySelectorAll(".land-map").forEach(function (container) {
      var zone = byCode[container.dataset.zone];
      if (zone) draw(container, zone, data, labels, holder.dataset.detailUrl);
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
