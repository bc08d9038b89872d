using Akka.Configuration;

namespace KvActors.Store.Configuration;

/// <summary>One source of settings and the name errors call it by ("hocon/seed.conf", "-D flags").</summary>
public sealed record ConfigLayer(string Source, Config Config);
