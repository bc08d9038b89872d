namespace KvActors.Node.Startup;

/// <summary>Bad flags or settings: the message is the one sentence kvnode prints before exiting with 2.</summary>
public sealed class UsageException(string message) : Exception(message);
