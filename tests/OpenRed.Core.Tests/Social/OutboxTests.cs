using OpenRed.Core.Social;
using static OpenRed.Core.Tests.Social.StoreFixture;

namespace OpenRed.Core.Tests.Social;

public sealed class OutboxTests
{
    [Fact]
    public void Message_StaysInOutboxUntilItsReceipt()
    {
        using var s = new StoreFixture();
        s.Store.InsertOutgoing(Fp(2), Id(1), "hello", T(0));
        s.Store.InsertOutgoing(Fp(2), Id(2), "again", T(1));

        var outbox = s.Store.Outbox(Fp(2), 0, 10);
        outbox.Select(m => m.Text).Should().Equal("hello", "again");
        s.Store.MarkSent(outbox[0].Seq);
        s.Store.Outbox(Fp(2), 0, 10).Should().HaveCount(2, "sent is not delivered");

        s.Store.MarkDelivered(Fp(2), Id(1), T(2)).Should().BeTrue();
        s.Store.MarkDelivered(Fp(2), Id(1), T(3)).Should().BeFalse("a repeated receipt changes nothing");
        s.Store.Outbox(Fp(2), 0, 10).Should().ContainSingle().Which.Text.Should().Be("again");
        s.Store.Outbox(Fp(3), 0, 10).Should().BeEmpty("each friend has its own outbox");
    }

    [Fact]
    public void Outbox_SurvivesReopeningTheDatabase()
    {
        using var s = new StoreFixture();
        s.Store.InsertOutgoing(Fp(2), Id(1), "hello", T(0));
        var path = s.Database.Path;
        s.Database.Dispose();

        using var reopened = Core.Storage.NodeDatabase.Open(path, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        using var store = new Core.Social.Internal.SocialStore(reopened);
        store.Outbox(Fp(2), 0, 10).Should().ContainSingle();
    }

    [Fact]
    public void IncomingDuplicate_IsIgnoredByMessageId()
    {
        using var s = new StoreFixture();

        s.Store.InsertIncoming(Fp(2), Id(1), "hi", 1000, T(0)).Should().BeTrue();
        s.Store.InsertIncoming(Fp(2), Id(1), "hi", 1000, T(1)).Should().BeFalse();
        s.Store.InsertIncoming(Fp(3), Id(1), "hi", 1000, T(1)).Should().BeTrue("the key is (peer, message id)");

        s.Store.CountMessages(Fp(2), outgoing: false).Should().Be(1);
    }

    [Fact]
    public void Conversation_IsOrderedBySendTimeThenId_AndMarksRead()
    {
        using var s = new StoreFixture();
        s.Store.InsertIncoming(Fp(2), Id(9), "third", T(5).ToUnixTimeMilliseconds(), T(6));
        s.Store.InsertOutgoing(Fp(2), Id(3), "second", T(5));
        s.Store.InsertIncoming(Fp(2), Id(1), "first", T(1).ToUnixTimeMilliseconds(), T(9));

        s.Store.TakeUnread().Select(m => m.Text).Should().Equal("first", "third");
        s.Store.TakeUnread().Should().BeEmpty();
        var chat = s.Store.Conversation(Fp(2), 50);

        chat.Select(m => m.Text).Should().Equal("first", "second", "third");
        chat.Select(m => m.State).Should().Equal(ChatState.Received, ChatState.Queued, ChatState.Received);
        s.Store.Conversation(Fp(2), 2).Select(m => m.Text).Should().Equal("second", "third");
    }

    [Fact]
    public void UnreadCounts_ArePerPeer_AndMarkNothingRead()
    {
        using var s = new StoreFixture();
        s.Store.InsertIncoming(Fp(2), Id(1), "one", 1000, T(0));
        s.Store.InsertIncoming(Fp(2), Id(2), "two", 2000, T(0));
        s.Store.InsertIncoming(Fp(3), Id(1), "three", 3000, T(0));
        s.Store.InsertOutgoing(Fp(2), Id(3), "mine", T(1));

        s.Store.UnreadCounts().Should().BeEquivalentTo(new Dictionary<Core.Identity.Fingerprint, int> { [Fp(2)] = 2, [Fp(3)] = 1 });
        s.Store.UnreadCounts().Should().HaveCount(2, "counting marks nothing read");

        s.Store.Conversation(Fp(2), 1);
        s.Store.UnreadCounts().Should().ContainSingle().Which.Should().Be(new KeyValuePair<Core.Identity.Fingerprint, int>(Fp(3), 1), "the conversation read all of peer 2");
        s.Store.TakeUnread().Select(m => m.Text).Should().Equal("three");
        s.Store.UnreadCounts().Should().BeEmpty();
    }
}
