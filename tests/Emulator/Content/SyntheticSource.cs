namespace O365Activity.Emulator.Content;

/// <summary>Where a synthetic record comes from; part of its stream tag, so the sources never share ids.</summary>
internal enum SyntheticSource
{
    /// <summary>The backlog made when a subscription first starts (<see cref="EmulatorOptions.Backlog"/>).</summary>
    Backlog = 1,

    /// <summary>The live generator (<see cref="EmulatorOptions.GenerateEvery"/>, <see cref="EmulatorOptions.GenerateRate"/>).</summary>
    Feed = 2,
}
