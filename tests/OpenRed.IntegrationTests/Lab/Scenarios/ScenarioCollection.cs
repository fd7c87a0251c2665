namespace OpenRed.IntegrationTests.Lab.Scenarios;

/// <summary>
/// The scenarios assert timings (discovery within 2 s, loss after 3 intervals), so they run one at a time and
/// not beside other test classes: on a 2-core machine, parallel tests starting runtimes would measure the CPU.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScenarioCollection
{
    public const string Name = "Lab scenarios";
}
