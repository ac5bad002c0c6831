using System.Text.Json;
using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Reads a sign-in's <c>DeviceProperties</c> entries (see <see cref="LenientJson.VisitNameValues"/>) into a
/// <see cref="DeviceInfo"/>: <c>OS</c>, <c>BrowserType</c>, <c>IsCompliant</c>, <c>IsCompliantAndManaged</c> or
/// <c>IsManaged</c>, <c>TrustType</c>, <c>Id</c> and <c>DisplayName</c>, names compared case-insensitively, the first
/// non-empty value of each kept; other entries are read no further.
/// </summary>
internal struct DeviceVisitor : INameValueVisitor
{
    private string? _os;
    private string? _browser;
    private string? _trustType;
    private string? _deviceId;
    private string? _displayName;
    private bool? _compliant;
    private bool? _managed;

    private enum Entry
    {
        Other,
        OperatingSystem,
        Browser,
        Compliant,
        Managed,
        TrustType,
        DeviceId,
        DisplayName,
    }

    /// <inheritdoc />
    public void Visit(in EntryName name, JsonElement value)
    {
        var entry = Kind(in name);
        if (entry == Entry.Other)
        {
            return;
        }

        var text = LenientJson.Text(value);
        text = string.IsNullOrWhiteSpace(text) ? null : text;
        switch (entry)
        {
            case Entry.OperatingSystem:
                _os ??= text;
                break;
            case Entry.Browser:
                _browser ??= text;
                break;
            case Entry.Compliant:
                _compliant ??= LenientJson.Boolean(text);
                break;
            case Entry.Managed:
                _managed ??= LenientJson.Boolean(text);
                break;
            case Entry.TrustType:
                _trustType ??= text;
                break;
            case Entry.DeviceId:
                _deviceId ??= text;
                break;
            case Entry.DisplayName:
                _displayName ??= text;
                break;
        }
    }

    /// <summary>The device; null when no entry was recognised with a value.</summary>
    public readonly DeviceInfo? ToDeviceInfo()
    {
        if (_os is null && _browser is null && _compliant is null && _managed is null && _trustType is null && _deviceId is null && _displayName is null)
        {
            return null;
        }

        return new DeviceInfo
        {
            OperatingSystem = _os,
            Browser = _browser,
            IsCompliant = _compliant,
            IsManaged = _managed,
            TrustType = _trustType,
            DeviceId = _deviceId,
            DisplayName = _displayName,
        };
    }

    private static Entry Kind(in EntryName name) =>
        name.UpperEquals("OS") ? Entry.OperatingSystem
        : name.UpperEquals("BROWSERTYPE") ? Entry.Browser
        : name.UpperEquals("ISCOMPLIANT") ? Entry.Compliant
        : name.UpperEquals("ISCOMPLIANTANDMANAGED") || name.UpperEquals("ISMANAGED") ? Entry.Managed
        : name.UpperEquals("TRUSTTYPE") ? Entry.TrustType
        : name.UpperEquals("ID") ? Entry.DeviceId
        : name.UpperEquals("DISPLAYNAME") ? Entry.DisplayName
        : Entry.Other;
}
