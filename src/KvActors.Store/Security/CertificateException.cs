namespace KvActors.Store.Security;

/// <summary>The cluster certificate cannot be used; the message is one sentence.</summary>
public sealed class CertificateException(string message, Exception? inner = null) : Exception(message, inner);
