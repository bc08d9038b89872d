using Google.Protobuf;
using KvActors.Client;
using KvActors.Store.Wire.Store;

namespace KvActors.Store.Tests.Client;

/// <summary>What KvClient sends when it sends a request again: writes say so, in a copy; reads go as they were.</summary>
public sealed class ResentRequestsTests
{
    private static readonly ByteString Key = ByteString.CopyFromUtf8("k");

    [Fact]
    public void Writes_and_commands_are_marked_resent_in_a_copy()
    {
        var put = new KvRequest { Put = new PutRequest { ClientId = "c", RequestId = 1, Key = Key, Value = Key } };
        var delete = new KvRequest { Delete = new DeleteRequest { ClientId = "c", RequestId = 2, Key = Key } };
        var command = new KvRequest { Command = new CommandRequest { ClientId = "c", RequestId = 3, Key = Key, Increment = new IncrementCommandMessage { Delta = 1 } } };

        var marked = new[] { put, delete, command }.Select(KvClient.MarkedResent).ToList();

        marked[0].Put.Resent.Should().BeTrue();
        marked[0].Put.RequestId.Should().Be(1);
        marked[1].Delete.Resent.Should().BeTrue();
        marked[2].Command.Resent.Should().BeTrue();
        marked[2].Command.Increment.Delta.Should().Be(1);
        (put.Put.Resent || delete.Delete.Resent || command.Command.Resent).Should().BeFalse("the first attempt may still be on its way");
        KvClient.MarkedResent(marked[0]).Should().BeSameAs(marked[0], "a request marked once is not copied again");
    }

    [Fact]
    public void Reads_go_again_unchanged()
    {
        var get = new KvRequest { Get = new GetRequest { ClientId = "c", RequestId = 4, Key = Key } };

        KvClient.MarkedResent(get).Should().BeSameAs(get);
    }
}
