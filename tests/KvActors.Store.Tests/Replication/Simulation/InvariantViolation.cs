namespace KvActors.Store.Tests.Replication.Simulation;

/// <summary>A broken safety or liveness property found by the simulation or its checker.</summary>
public sealed class InvariantViolation(string message) : Exception(message);
