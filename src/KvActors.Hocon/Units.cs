using System.Globalization;

namespace KvActors.Hocon;

/// <summary>Splits "500 ms" / "1.5MiB" into a decimal number and a unit name.</summary>
internal static class Units
{
    public static bool TrySplit(string text, out decimal number, out string unit)
    {
        number = 0;
        unit = "";
        var s = text.Trim();
        var i = 0;
        if (i < s.Length && (s[i] == '-' || s[i] == '+')) i++;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
        if (!decimal.TryParse(s.AsSpan(0, i), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number))
            return false;
        unit = s[i..].Trim();
        return true;
    }
}
