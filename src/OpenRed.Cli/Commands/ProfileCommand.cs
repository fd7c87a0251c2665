using System.CommandLine;
using OpenRed.Cli.Rendering;
using OpenRed.Core.Identity;
using OpenRed.Core.Social;
using OpenRed.Core.Text;

namespace OpenRed.Cli.Commands;

/// <summary>This node's profile (set, photo) and peers' profiles (show, thumbnail), section 9.</summary>
internal sealed class ProfileCommand : IReplCommand, ICompletingCommand
{
    private readonly Option<string?> _name = new("--name") { Description = "Display name, at most 64 characters" };
    private readonly Option<string?> _profession = new("--profession") { Description = "Profession, at most 64 characters" };
    private readonly Option<string?> _bio = new("--bio") { Description = "A few words, at most 1000 characters" };
    private readonly Argument<string> _photo = new("file") { Description = "A JPEG, PNG or WebP photo; a thumbnail of at most 128×128 and 16 KiB is made from it, and the photo is published as a URN" };
    private readonly Argument<string?> _showPeer = new("peer") { Description = SocialPeers.PeerHelp + "; none for this node", Arity = ArgumentArity.ZeroOrOne };
    private readonly Argument<string> _thumbPeer = new("peer") { Description = SocialPeers.PeerHelp };
    private readonly Option<string> _out = new("--out") { Description = "File to write the thumbnail to", Required = true };
    private Command? _set;
    private Command? _setPhoto;
    private Command? _show;
    private Command? _thumbnail;

    public string Name => "profile";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "This node's profile and peers' profiles: profile set | photo <file> | show [peer] | thumbnail <peer> --out <file>";

    public Command BuildSyntax()
    {
        _set = new Command("set", "Change this node's name, profession or bio") { _name, _profession, _bio, CommonOptions.Json() };
        _setPhoto = new Command("photo", "Make this node's thumbnail from a photo and publish the photo as a URN (no metadata leaves the node)") { _photo, CommonOptions.Json() };
        _show = new Command("show", "A profile: name, profession, bio, thumbnail size, safety code") { _showPeer, CommonOptions.Json() };
        _thumbnail = new Command("thumbnail", "Write a peer's thumbnail to a file") { _thumbPeer, _out, CommonOptions.Json() };
        return new Command(Name, Description) { _set, _setPhoto, _show, _thumbnail };
    }

    public async Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var social = context.Node.Social;
        var sub = parse.CommandResult.Command;
        if (sub == _set)
        {
            var name = parse.GetValue(_name);
            var profession = parse.GetValue(_profession);
            var bio = parse.GetValue(_bio);
            if (name is null && profession is null && bio is null)
            {
                throw new CommandException("give --name, --profession or --bio");
            }

            var profile = SocialPeers.Do(() => social.SetProfile(name, profession, bio));
            WriteOwn(context, profile);
        }
        else if (sub == _setPhoto)
        {
            var profile = await SocialPeers.DoAsync(() => social.SetPhotoAsync(parse.GetValue(_photo)!, cancellationToken));
            WriteOwn(context, profile);
        }
        else if (sub == _show)
        {
            var name = parse.GetValue(_showPeer);
            if (name is null)
            {
                WriteOwn(context, social.GetOwnProfile());
                return 0;
            }

            var peer = SocialPeers.Resolve(context, name);
            var profile = await social.GetProfileAsync(peer.Fingerprint, cancellationToken)
                ?? throw new CommandException($"no profile of {SocialPeers.Name(peer)} yet: it comes with a session");
            Write(context, profile.NodeId, profile.Fingerprint, profile.Profile, profile.FetchedAt, profile.Fresh);
        }
        else if (sub == _thumbnail)
        {
            var peer = SocialPeers.Resolve(context, parse.GetValue(_thumbPeer));
            var profile = await social.GetProfileAsync(peer.Fingerprint, cancellationToken);
            var thumbnail = profile?.Profile.Thumbnail ?? throw new CommandException($"{SocialPeers.Name(peer)} has no thumbnail");
            var path = parse.GetValue(_out)!;
            try
            {
                await File.WriteAllBytesAsync(path, thumbnail.Bytes, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                throw new CommandException($"{path}: {e.Message}", e);
            }

            if (context.Json)
            {
                context.WriteJson(new { Fingerprint = peer.Fingerprint.Hex, Path = Path.GetFullPath(path), Bytes = thumbnail.Bytes.Length, MediaType = thumbnail.MediaType });
            }
            else
            {
                context.WriteRaw($"Wrote the {thumbnail.MediaType} thumbnail of {SocialPeers.Name(peer)} ({thumbnail.Bytes.Length} bytes) to {VisibleText.Escape(path)}.\n");
            }
        }
        else
        {
            throw new CommandException("say which: profile set | photo <file> | show [peer] | thumbnail <peer> --out <file>");
        }

        return 0;
    }

    public IEnumerable<string> Complete(CommandContext context, IReadOnlyList<string> words, string prefix) => words.Count switch
    {
        1 => new[] { "set", "photo", "show", "thumbnail" }.Where(w => w.StartsWith(prefix, StringComparison.Ordinal)),
        2 when words[1] is "show" or "thumbnail" => SocialPeers.Complete(context, prefix),
        _ => [],
    };

    private static void WriteOwn(CommandContext context, SocialProfile profile) =>
        Write(context, context.Node.NodeId, context.Node.Fingerprint, profile, null, true);

    private static void Write(CommandContext context, string nodeId, Fingerprint fingerprint, SocialProfile p, DateTimeOffset? fetchedAt, bool fresh)
    {
        if (context.Json)
        {
            context.WriteJson(new ProfileJson(
                nodeId, fingerprint.Hex, p.DisplayName, p.Profession, p.Bio, p.Thumbnail?.Bytes.Length ?? 0, p.Thumbnail?.MediaType ?? "",
                p.Thumbnail?.Width ?? 0, p.Thumbnail?.Height ?? 0, p.PhotoUrn, p.PhotoUrnOf(fingerprint), p.UpdatedAt.ToUnixTimeMilliseconds(),
                fetchedAt?.ToUnixTimeMilliseconds(), fresh, SafetyCode.Of(fingerprint)));
            return;
        }

        var values = new LabelledValues()
            .Add("peer", PeerText.Name(nodeId, fingerprint))
            .Add("name", p.DisplayName.Length == 0 ? "-" : p.DisplayName)
            .Add("profession", p.Profession.Length == 0 ? "-" : p.Profession)
            .Add("bio", p.Bio.Length == 0 ? "-" : p.Bio)
            .Add("thumbnail", p.Thumbnail is { } t ? $"{t.MediaType}, {t.Width}×{t.Height}, {PeerText.Bytes(t.Bytes.Length)}" : "none")
            .Add("photo urn", p.PhotoUrnOf(fingerprint) ?? "none")
            .Add("safety code", SafetyCode.Of(fingerprint));
        if (fetchedAt is { } at && !fresh)
        {
            values.Add("fetched", PeerText.Time(at) + " (no session now)");
        }

        context.WriteRaw(values.Render(context.Out));
    }

    internal sealed record ProfileJson(
        string NodeId, string Fingerprint, string DisplayName, string Profession, string Bio, int ThumbnailBytes, string ThumbnailType,
        int ThumbnailWidth, int ThumbnailHeight, string PhotoUrn, string? PhotoResurrect, long UpdatedAtMs, long? FetchedAtMs, bool Fresh, string SafetyCode);
}
