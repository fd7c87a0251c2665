using OpenRed.Core.Social;
using OpenRed.Core.Social.Internal;
using static OpenRed.Core.Tests.Social.StoreFixture;

namespace OpenRed.Core.Tests.Social;

public sealed class FriendStateMachineTests
{
    [Fact]
    public void RequestThenAccept_MakesFriendsOnBothSides_AndQueuesOneResponse()
    {
        using var alice = new StoreFixture();
        using var papa = new StoreFixture();

        alice.Store.RequestOut(Fp(2), "papa", "c'est Alice", Id(1), 100, T(0)).Outcome.Should().Be(AddOutcome.Requested);
        papa.Store.RequestIn(Fp(1), "alice", Id(1), "c'est Alice", 100, T(1)).Outcome.Should().Be(IncomingRequestOutcome.Stored);
        alice.Store.MarkRequestAcked(Fp(2), Id(1));
        alice.Store.GetPeer(Fp(2))!.Acked.Should().BeTrue();

        papa.Store.Accept(Fp(1), T(2))!.State.Should().Be(FriendState.Friend);
        papa.Store.ResponsesFor(Fp(1)).Should().ContainSingle().Which.Accepted.Should().BeTrue();
        alice.Store.ResponseIn(Fp(2), Id(1), true, T(3)).Should().Be(IncomingResponseOutcome.Accepted);
        papa.Store.ResponseDone(Fp(1), Id(1));

        alice.Store.GetPeer(Fp(2))!.State.Should().Be(FriendState.Friend);
        papa.Store.ResponsesFor(Fp(1)).Should().BeEmpty();
    }

    [Fact]
    public void Decline_RemovesTheRequest_AndTheAskerForgetsIt()
    {
        using var alice = new StoreFixture();
        using var papa = new StoreFixture();
        alice.Store.RequestOut(Fp(2), "papa", "", Id(1), 100, T(0));
        papa.Store.RequestIn(Fp(1), "alice", Id(1), "", 100, T(0));

        papa.Store.Decline(Fp(1), T(1)).Should().BeTrue();
        alice.Store.ResponseIn(Fp(2), Id(1), false, T(2)).Should().Be(IncomingResponseOutcome.Declined);

        papa.Store.GetPeer(Fp(1)).Should().BeNull();
        alice.Store.GetPeer(Fp(2)).Should().BeNull();
        papa.Store.ResponsesFor(Fp(1)).Should().ContainSingle().Which.Accepted.Should().BeFalse();
    }

    [Fact]
    public void Response_IsAcceptedOnlyForTheRequestStillPending()
    {
        using var s = new StoreFixture();
        s.Store.RequestOut(Fp(2), "papa", "", Id(1), 100, T(0));

        s.Store.ResponseIn(Fp(2), Id(9), true, T(1)).Should().Be(IncomingResponseOutcome.NotPending, "another request id");
        s.Store.ResponseIn(Fp(3), Id(1), true, T(1)).Should().Be(IncomingResponseOutcome.NotPending, "another peer");
        s.Store.GetPeer(Fp(2))!.State.Should().Be(FriendState.PendingOut);
        s.Store.ResponseIn(Fp(2), Id(1), true, T(1)).Should().Be(IncomingResponseOutcome.Accepted);
        s.Store.ResponseIn(Fp(2), Id(1), true, T(1)).Should().Be(IncomingResponseOutcome.NotPending, "no longer pending");
    }

    [Fact]
    public void SameRequestTwice_IsADuplicate_AndANewerOneReplacesIt()
    {
        using var s = new StoreFixture();
        s.Store.RequestIn(Fp(1), "alice", Id(1), "first", 100, T(0));

        s.Store.RequestIn(Fp(1), "alice", Id(1), "first", 100, T(1)).Outcome.Should().Be(IncomingRequestOutcome.Duplicate);
        s.Store.RequestIn(Fp(1), "alice", Id(2), "second", 100, T(2)).Outcome.Should().Be(IncomingRequestOutcome.Stored);

        s.Store.AllPeers().Should().ContainSingle().Which.Message.Should().Be("second");
    }

    [Fact]
    public void PendingListFull_DropsTheOldest()
    {
        using var s = new StoreFixture();
        for (var i = 1; i <= 3; i++)
        {
            s.Store.RequestIn(Fp(i), $"p{i}", Id(i), "", 3, T(i)).Dropped.Should().BeNull();
        }

        var (outcome, dropped) = s.Store.RequestIn(Fp(4), "p4", Id(4), "", 3, T(4));

        outcome.Should().Be(IncomingRequestOutcome.Stored);
        dropped.Should().Be(Fp(1));
        s.Store.AllPeers().Select(p => p.NodeId).Should().BeEquivalentTo("p2", "p3", "p4");
    }

    [Fact]
    public void BothAskingEachOther_MakesFriends()
    {
        using var s = new StoreFixture();
        s.Store.RequestOut(Fp(2), "papa", "", Id(1), 100, T(0));

        s.Store.RequestIn(Fp(2), "papa", Id(2), "", 100, T(1)).Outcome.Should().Be(IncomingRequestOutcome.Friends);

        s.Store.GetPeer(Fp(2))!.State.Should().Be(FriendState.Friend);
        s.Store.ResponsesFor(Fp(2)).Should().ContainSingle().Which.RequestId.Should().Equal(Id(2));
    }

    [Fact]
    public void AddingAPeerWhoAsked_AcceptsTheirRequest()
    {
        using var s = new StoreFixture();
        s.Store.RequestIn(Fp(2), "papa", Id(7), "", 100, T(0));

        s.Store.RequestOut(Fp(2), "papa", "", Id(1), 100, T(1)).Outcome.Should().Be(AddOutcome.AcceptedTheirs);

        s.Store.ResponsesFor(Fp(2)).Should().ContainSingle().Which.RequestId.Should().Equal(Id(7));
    }

    [Fact]
    public void Blocked_RequestsVanish_AndUnblockForgets()
    {
        using var s = new StoreFixture();
        s.Store.RequestIn(Fp(2), "papa", Id(7), "", 100, T(0));
        s.Store.Accept(Fp(2), T(1));
        s.Store.Block(Fp(2), "papa", T(2));

        s.Store.ResponsesFor(Fp(2)).Should().BeEmpty("nothing more is owed to a blocked peer");
        s.Store.RequestIn(Fp(2), "papa", Id(8), "again", 100, T(3)).Outcome.Should().Be(IncomingRequestOutcome.Blocked);
        s.Store.RequestOut(Fp(2), "papa", "", Id(1), 100, T(3)).Outcome.Should().Be(AddOutcome.Blocked);
        s.Store.GetPeer(Fp(2))!.State.Should().Be(FriendState.Blocked);

        s.Store.Unblock(Fp(2)).Should().BeTrue();
        s.Store.GetPeer(Fp(2)).Should().BeNull();
    }

    [Fact]
    public void OutgoingLimit_AndOnePendingPerPeer()
    {
        using var s = new StoreFixture();
        s.Store.RequestOut(Fp(1), "a", "", Id(1), 2, T(0)).Outcome.Should().Be(AddOutcome.Requested);
        s.Store.RequestOut(Fp(1), "a", "", Id(2), 2, T(0)).Outcome.Should().Be(AddOutcome.AlreadyRequested);
        s.Store.RequestOut(Fp(2), "b", "", Id(3), 2, T(0)).Outcome.Should().Be(AddOutcome.Requested);
        s.Store.RequestOut(Fp(3), "c", "", Id(4), 2, T(0)).Outcome.Should().Be(AddOutcome.TooMany);
    }

    [Fact]
    public void FriendAskingAgain_IsAcceptedAtOnce()
    {
        using var s = new StoreFixture();
        s.Store.RequestIn(Fp(2), "papa", Id(7), "", 100, T(0));
        s.Store.Accept(Fp(2), T(1));
        s.Store.ResponseDone(Fp(2), Id(7));

        s.Store.RequestIn(Fp(2), "papa", Id(8), "", 100, T(2)).Outcome.Should().Be(IncomingRequestOutcome.Friends);

        s.Store.ResponsesFor(Fp(2)).Should().ContainSingle().Which.RequestId.Should().Equal(Id(8));
    }

    [Fact]
    public void Remove_EndsFriendshipOrWithdrawsRequest_ButNotAPendingIn()
    {
        using var s = new StoreFixture();
        s.Store.RequestOut(Fp(1), "a", "", Id(1), 100, T(0));
        s.Store.RequestIn(Fp(2), "b", Id(2), "", 100, T(0));

        s.Store.Remove(Fp(1)).Should().BeTrue();
        s.Store.Remove(Fp(2)).Should().BeFalse("a request to this node is declined, not removed");
    }
}
