namespace KvActors.Client;

/// <summary>The node could not be reached or refused a request; the message is one sentence for the operator.</summary>
public sealed class AdminClientException(string message, Exception? inner = null) : Exception(message, inner);
