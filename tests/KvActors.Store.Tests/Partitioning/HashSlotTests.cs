using System.Text;
using KvActors.Store.Partitioning;

namespace KvActors.Store.Tests.Partitioning;

public sealed class HashSlotTests
{
    // Slots Redis Cluster documents for CLUSTER KEYSLOT.
    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("somekey", 11058)]
    [InlineData("foo{hash_tag}", 2515)]
    [InlineData("bar{hash_tag}", 2515)]
    [InlineData("{user1}.following", 8106)]
    [InlineData("user:info{1}", 9842)]
    [InlineData("user:case{1}", 9842)]
    [InlineData("user:info", 15429)]
    [InlineData("fyimk7v1CgnBo", 0)]
    [InlineData("8HMdi", 1)]
    public void Gives_the_slot_Redis_Cluster_gives(string key, int slot) =>
        HashSlot.Of(key).Should().Be(slot);

    [Fact]
    public void Keys_with_one_hash_tag_share_a_slot()
    {
        HashSlot.Of("{user1000}.following").Should().Be(HashSlot.Of("{user1000}.followers"));
        HashSlot.Of("{user1000}.following").Should().Be(HashSlot.Of("user1000"));
    }

    [Theory]
    [InlineData("foo{}{bar}", "foo{}{bar}")] // empty tag: the whole key
    [InlineData("foo{{bar}}zap", "{bar")] // from the first '{' to the first '}' after it
    [InlineData("foo{bar}{zap}", "bar")] // only the first tag
    [InlineData("foo{bar", "foo{bar")] // never closed: the whole key
    [InlineData("foo}bar{", "foo}bar{")] // a '}' before the '{' does not close it
    [InlineData("}{x}", "x")]
    [InlineData("plain", "plain")]
    public void Hashes_only_the_first_non_empty_tag(string key, string hashed)
    {
        Encoding.UTF8.GetString(HashSlot.HashedPart(Encoding.UTF8.GetBytes(key))).Should().Be(hashed);
        HashSlot.Of(key).Should().Be(HashSlot.Of(hashed));
    }

    [Fact]
    public void A_string_key_hashes_as_its_UTF8_bytes()
    {
        var key = "ключ-🔑-" + new string('x', 600); // longer than the stack buffer
        HashSlot.Of(key).Should().Be(HashSlot.Of(Encoding.UTF8.GetBytes(key)));
        HashSlot.Of("ключ").Should().Be(HashSlot.Of(Encoding.UTF8.GetBytes("ключ")));
    }

    [Fact]
    public void Every_slot_is_below_16384()
    {
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var key = new byte[random.Next(0, 30)];
            random.NextBytes(key);
            HashSlot.Of(key).Should().BeInRange(0, HashSlot.Count - 1);
        }
    }
}
