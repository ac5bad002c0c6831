// The sign-in locations map: Natural Earth countries (world-atlas, TopoJSON) projected with d3-geo (Equal Earth,
// fitted to the SVG), and a marker per location of ListLocations: a pie of its successful, failed and interrupted
// sign-ins, sized by their number. Pointing at or clicking a marker shows its counts and users.
"use strict";

const WorldMap = (() => {
  const { el, svg, count, place, userLink, countryName } = Status;
  const width = 960;
  const height = 500;
  let atlas = null;

  function loadAtlas() {
    atlas = atlas || Status.getJson("/static/vendor/countries-110m.json");
    return atlas;
  }

  function totals(entry) {
    const successes = Number(entry.successes || 0);
    const failures = Number(entry.failures || 0);
    const interrupted = Number(entry.interrupted || 0);
    return { successes, failures, interrupted, all: successes + failures + interrupted };
  }

  /** The pie of one marker: a slice per kind of result with sign-ins, or one circle when there is one kind. */
  function pie(radius, t) {
    const parts = [
      { value: t.successes, kind: "success" },
      { value: t.failures, kind: "failure" },
      { value: t.interrupted, kind: "interrupted" },
    ].filter((p) => p.value > 0);
    if (parts.length <= 1) {
      return [svg("circle", { r: radius, class: `slice slice-${parts.length ? parts[0].kind : "none"}` })];
    }
    const shapes = [];
    let start = 0;
    for (const part of parts) {
      const end = start + (2 * Math.PI * part.value) / t.all;
      const [x0, y0] = [radius * Math.sin(start), -radius * Math.cos(start)];
      const [x1, y1] = [radius * Math.sin(end), -radius * Math.cos(end)];
      const large = end - start > Math.PI ? 1 : 0;
      shapes.push(svg("path", {
        class: `slice slice-${part.kind}`,
        d: `M0,0L${x0.toFixed(2)},${y0.toFixed(2)}A${radius},${radius} 0 ${large} 1 ${x1.toFixed(2)},${y1.toFixed(2)}Z`,
      }));
      start = end;
    }
    shapes.push(svg("circle", { r: radius, class: "outline" }));
    return shapes;
  }

  function summary(entry, t) {
    const users = entry.users || [];
    const more = Number(entry.userCount || users.length) - users.length;
    return `${place(entry.location) || "Unknown place"}: ${count(t.successes)} successful, ${count(t.failures)} failed, `
      + `${count(t.interrupted)} interrupted; ${count(entry.userCount)} user(s): ${users.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
  }

  function showDetails(details, tenantId, entry, t) {
    const users = entry.users || [];
    const more = Number(entry.userCount || users.length) - users.length;
    const loc = entry.location || {};
    details.replaceChildren(...[
      el("h3", {}, place(loc) || "Unknown place"),
      loc.asOrganization ? el("p", { class: "network" }, `AS${loc.asn} ${loc.asOrganization}`) : null,
      el("dl", { class: "counts" },
        el("dt", {}, "Successful"), el("dd", { class: "count-success" }, count(t.successes)),
        el("dt", {}, "Failed"), el("dd", { class: "count-failure" }, count(t.failures)),
        el("dt", {}, "Interrupted"), el("dd", { class: "count-interrupted" }, count(t.interrupted)),
        el("dt", {}, "Users"), el("dd", {}, count(entry.userCount))),
      el("ul", { class: "location-users" }, users.map((u) => el("li", {}, userLink(tenantId, u)))),
      more > 0 ? el("p", { class: "note" }, `and ${count(more)} more`) : null,
    ].filter((node) => node !== null));
  }

  /**
   * Draws the map of a ListLocations answer into container; details shows the selected marker's counts and users.
   * Returns how many locations could not be placed (no coordinates and a country the atlas does not name).
   */
  async function draw(container, details, tenantId, response) {
    const world = await loadAtlas();
    const countries = topojson.feature(world, world.objects.countries).features;
    // A location's country: by its ISO code (the atlas is keyed by the numeric code), else by name (the atlas's few
    // shapes without a code, such as Kosovo).
    const byCode = new Map(countries.filter((f) => f.id != null).map((f) => [String(f.id), f]));
    const byName = new Map(countries.map((f) => [String(f.properties.name).toLowerCase(), f]));
    const countryOf = (loc) => byCode.get(Iso3166[String(loc.countryCode || "").toUpperCase()]) || byName.get(countryName(loc).toLowerCase());
    const projection = d3.geoEqualEarth().fitExtent([[6, 6], [width - 6, height - 6]], { type: "Sphere" });
    const path = d3.geoPath(projection);
    const locations = response.locations || [];
    const seen = new Set(locations.map((l) => countryOf(l.location || {})).filter((f) => f));

    let unplaced = 0;
    const placed = [];
    for (const entry of locations) {
      const loc = entry.location || {};
      let point = null;
      if (typeof loc.latitude === "number" && typeof loc.longitude === "number") {
        point = projection([loc.longitude, loc.latitude]);
      } else if (countryOf(loc)) {
        // Country only: its centroid.
        point = projection(d3.geoCentroid(countryOf(loc)));
      }
      if (!point || !Number.isFinite(point[0]) || !Number.isFinite(point[1])) {
        unplaced++;
        continue;
      }
      placed.push({ entry, point, t: totals(entry) });
    }
    // The biggest first, so that smaller markers stay on top and reachable.
    placed.sort((a, b) => b.t.all - a.t.all);

    const markers = placed.map(({ entry, point, t }) => {
      const radius = Math.min(22, 4 + 2.5 * Math.sqrt(t.all));
      const marker = svg("g", {
        class: `marker${t.failures + t.interrupted > 0 ? " has-failures" : ""}`,
        transform: `translate(${point[0].toFixed(1)},${point[1].toFixed(1)})`,
        tabindex: 0,
        role: "button",
        "aria-label": summary(entry, t),
        "data-country": (entry.location && entry.location.countryCode) || "",
        "data-city": (entry.location && entry.location.city) || "",
        "data-successes": t.successes,
        "data-failures": t.failures,
        "data-interrupted": t.interrupted,
      }, svg("title", {}, summary(entry, t)), pie(radius, t));
      const select = () => {
        for (const other of container.querySelectorAll(".marker.selected")) {
          other.classList.remove("selected");
        }
        marker.classList.add("selected");
        showDetails(details, tenantId, entry, t);
      };
      marker.addEventListener("click", select);
      marker.addEventListener("mouseenter", () => showDetails(details, tenantId, entry, t));
      marker.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          select();
        }
      });
      return marker;
    });

    container.replaceChildren(svg("svg", { id: "map", viewBox: `0 0 ${width} ${height}`, "aria-label": "Sign-in locations on a world map" },
      svg("path", { class: "sphere", d: path({ type: "Sphere" }) }),
      svg("path", { class: "graticule", d: path(d3.geoGraticule10()) }),
      svg("g", { class: "countries" }, countries.map((f) => svg("path", {
        class: seen.has(f) ? "country active" : "country",
        d: path(f),
      }, svg("title", {}, f.properties.name)))),
      svg("path", { class: "borders", d: path(topojson.mesh(world, world.objects.countries, (a, b) => a !== b)) }),
      svg("g", { class: "markers" }, markers)));
    return unplaced;
  }

  return { draw, totals };
})();
