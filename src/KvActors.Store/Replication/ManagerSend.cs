namespace KvActors.Store.Replication;

/// <summary>Something the configuration manager's shell must send.</summary>
public sealed record ManagerSend(string To, ManagerMessage Message);
