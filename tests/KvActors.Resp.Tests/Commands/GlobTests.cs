using System.Text;
using KvActors.Resp.Commands;

namespace KvActors.Resp.Tests.Commands;

/// <summary>Redis's glob patterns, as CONFIG GET and SCAN MATCH use them.</summary>
public sealed class GlobTests
{
    [Theory]
    [InlineData("*", "", true)]
    [InlineData("*", "anything", true)]
    [InlineData("user:*", "user:1", true)]
    [InlineData("user:*", "users:1", false)]
    [InlineData("h?llo", "hello", true)]
    [InlineData("h?llo", "hllo", false)]
    [InlineData("h*llo", "heeeello", true)]
    [InlineData("h[ae]llo", "hallo", true)]
    [InlineData("h[ae]llo", "hillo", false)]
    [InlineData("h[^e]llo", "hallo", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-b]llo", "hbllo", true)]
    [InlineData("h[b-a]llo", "hallo", true)]
    [InlineData("h[a-b]llo", "hcllo", false)]
    [InlineData(@"h\*llo", "h*llo", true)]
    [InlineData(@"h\*llo", "hello", false)]
    [InlineData(@"[\]]", "]", true)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("[abc", "b", true)]
    public void Patterns_match_as_in_redis(string pattern, string text, bool matches)
    {
        Glob.Matches(pattern, text).Should().Be(matches);
        Glob.Matches(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(text)).Should().Be(matches);
    }

    [Fact]
    public void Keys_are_matched_byte_for_byte()
    {
        Glob.Matches("k?"u8.ToArray(), [(byte)'k', 0xff]).Should().BeTrue();
        Glob.Matches("k\u00e9"u8.ToArray(), [(byte)'k', 0xC3]).Should().BeFalse("a UTF-8 pattern is matched as its bytes (two here)");
        Glob.Matches([(byte)'k', (byte)'[', 0x80, (byte)'-', 0xff, (byte)']'], [(byte)'k', 0xC3]).Should().BeTrue();
    }
}
