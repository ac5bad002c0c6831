// Shared helpers of the status page. Every value that came from a tenant is put into the page as text (text nodes,
// textContent) or as an attribute value (setAttribute): never parsed as HTML.
"use strict";

const Status = (() => {
  const svgNs = "http://www.w3.org/2000/svg";

  function build(node, attributes, children) {
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null && value !== false) {
        node.setAttribute(name, String(value));
      }
    }
    for (const child of children.flat(Infinity)) {
      if (child !== undefined && child !== null && child !== false) {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    }
    return node;
  }

  /** An HTML element with attributes (set with setAttribute) and children (nodes, or values inserted as text). */
  function el(tag, attributes, ...children) {
    return build(document.createElement(tag), attributes, children);
  }

  /** An SVG element, the same way. */
  function svg(tag, attributes, ...children) {
    return build(document.createElementNS(svgNs, tag), attributes, children);
  }

  /** GETs a JSON API route; throws an Error whose message is the API's one-line answer. */
  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      const text = (await response.text()).trim();
      throw new Error(`${response.status}: ${text || response.statusText}`);
    }
    return response.json();
  }

  /** Replaces a container's content with a failure message. */
  function showError(container, error) {
    container.replaceChildren(el("p", { class: "error" }, String(error && error.message ? error.message : error)));
  }

  /** The path's segments, decoded. */
  function pathSegments() {
    return location.pathname.split("/").filter((s) => s.length > 0).map(decodeURIComponent);
  }

  function tenantUrl(tenantId) {
    return `/tenants/${encodeURIComponent(tenantId)}`;
  }

  function userUrl(tenantId, user) {
    return `${tenantUrl(tenantId)}/users/${encodeURIComponent(user)}`;
  }

  function apiTenantUrl(tenantId) {
    return `/api/tenants/${encodeURIComponent(tenantId)}`;
  }

  /** A link to a user's page; the user's name is its text. */
  function userLink(tenantId, user) {
    if (!user) {
      return "—";
    }
    return el("a", { href: userUrl(tenantId, user), class: "user" }, user);
  }

  /** An RFC 3339 time as "2024-06-04 08:00:10 UTC"; "—" when unset. */
  function time(value) {
    if (!value) {
      return "—";
    }
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? String(value) : `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
  }

  /** A proto JSON duration ("93.5s") in words: "1 min 34 s"; "—" when unset. */
  function duration(value) {
    if (!value) {
      return "—";
    }
    const seconds = Math.round(parseFloat(value));
    if (!Number.isFinite(seconds)) {
      return String(value);
    }
    const parts = [];
    const days = Math.floor(seconds / 86400);
    const hours = Math.floor((seconds % 86400) / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = seconds % 60;
    if (days) parts.push(`${days} d`);
    if (hours) parts.push(`${hours} h`);
    if (minutes) parts.push(`${minutes} min`);
    if (rest || parts.length === 0) parts.push(`${rest} s`);
    return parts.slice(0, 2).join(" ");
  }

  /** A proto JSON int64 (a string) or number, with thousands separators. */
  function count(value) {
    return Number(value || 0).toLocaleString("en-US");
  }

  /** An enum value name without its type's prefix: "CONNECTION_STATE_PENDING_CONSENT" → "PENDING_CONSENT". */
  function enumName(value, prefix) {
    const name = String(value || "");
    return name.startsWith(prefix) ? name.slice(prefix.length) : name;
  }

  const regionNames = typeof Intl !== "undefined" && Intl.DisplayNames ? new Intl.DisplayNames(["en"], { type: "region" }) : null;

  /** A location's country name: the one it carries, else the browser's English name of its code (some GeoIP databases give codes only). */
  function countryName(location) {
    if (!location) {
      return "";
    }
    if (location.countryName || !location.countryCode || !regionNames) {
      return location.countryName || location.countryCode || "";
    }
    try {
      return regionNames.of(location.countryCode) || location.countryCode;
    } catch {
      return location.countryCode;
    }
  }

  /** A place in words: "Amsterdam, North Holland, Netherlands". */
  function place(location) {
    if (!location) {
      return "";
    }
    return [location.city, location.region, countryName(location)].filter((p) => p).join(", ");
  }

  /** A table with a header row; rows is an array of arrays of cells (nodes or values, inserted as text). */
  function table(className, headers, rows, rowAttributes) {
    return el("table", { class: className },
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((cells, i) => el("tr", rowAttributes ? rowAttributes(i) : {}, cells.map((c) => el("td", {}, c))))));
  }

  return { el, svg, getJson, showError, pathSegments, tenantUrl, userUrl, apiTenantUrl, userLink, time, duration, count, enumName, countryName, place, table };
})();
