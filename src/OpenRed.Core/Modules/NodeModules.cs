using OpenRed.Core.Exchange;
using OpenRed.Core.Peers;
using OpenRed.Core.Phoenix;
using OpenRed.Core.Social;

namespace OpenRed.Core.Modules;

/// <summary>
/// The capabilities this node runs, in start order. Adding one is a folder of its own and one line here.
/// </summary>
internal static class NodeModules
{
    public static IReadOnlyList<Func<ModuleContext, INodeModule>> All { get; } =
    [
        static c => new PeersModule(c),
        static c => new ExchangeModule(c),
        static c => new PhoenixModule(c),
        static c => new SocialModule(c),
    ];
}
