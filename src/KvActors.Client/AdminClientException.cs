namespace KvActors.Client;

/// <summary>The admin client could not do what was asked; the message is one sentence.</summary>
public sealed class AdminClientException(string message, Exception? inner = null) : Exception(message, inner);
