using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>
/// Every record that arrives passes here: the checks of section 8 (each refusal counted), then the version rule: a
/// node remembers the highest version it has seen of a publisher's name and drops lower ones.
/// </summary>
internal sealed class RecordIntake(PhoenixIndex index, PhoenixCounters counters)
{
    public RecordInfo? Accept(UrnRecord? record)
    {
        var info = RecordInfo.TryCreate(record, out var problem);
        if (info is null)
        {
            counters.Refuse(problem!.Value);
            return null;
        }

        if (index.HighestVersion(info.Publisher, info.Name) > info.Version)
        {
            counters.Refuse(Refusal.StaleVersion);
            return null;
        }

        index.NoteVersion(info);
        return info;
    }
}
