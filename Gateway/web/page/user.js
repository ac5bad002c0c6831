// A user's page (/tenants/{tenantId}/users/{user}): GetUserActivity — the user's sign-ins, the admin changes they made
// and those made to them, and the countries, addresses and applications they signed in from, first and last seen.
"use strict";

(() => {
  const { el, time, count } = Status;
  const segments = Status.pathSegments();
  const tenantId = segments[1] || "";
  const user = segments[3] || "";
  const link = document.getElementById("tenant-link");
  link.setAttribute("href", Status.tenantUrl(tenantId));
  link.textContent = `Tenant ${tenantId}`;
  document.getElementById("title").textContent = user;
  document.title = `${user} · Office 365 activity`;

  function seenTable(values, valueHeader, labelHeader) {
    if (!values || values.length === 0) {
      return el("p", { class: "empty" }, "None.");
    }
    const rows = values.map((v) => [v.value, v.label || "", count(v.signIns), count(v.failures), time(v.firstSeen), time(v.lastSeen)]);
    return Status.table("seen", [valueHeader, labelHeader, "Sign-ins", "Failures", "First seen", "Last seen"], rows);
  }

  function show(id, node) {
    document.getElementById(id).replaceChildren(node);
  }

  (async () => {
    try {
      const activity = await Status.getJson(`${Status.apiTenantUrl(tenantId)}/users/${encodeURIComponent(user)}`);
      document.getElementById("totals").textContent =
        `${count(activity.signInCount)} sign-in(s), ${count(activity.failureCount)} failed, in tenant ${activity.tenantId}`;
      show("countries", seenTable(activity.countries, "Country", "Name"));
      show("addresses", seenTable(activity.addresses, "Address", "Country"));
      show("applications", seenTable(activity.applications, "Application id", "Name"));
      show("user-signins", Activity.signInTable(tenantId, activity.signIns || [], false));
      show("changes-made", Activity.adminTable(tenantId, activity.changesMade || []));
      show("changes-received", Activity.adminTable(tenantId, activity.changesReceived || []));
    } catch (e) {
      Status.showError(document.getElementById("countries"), e);
    }
  })();
})();
