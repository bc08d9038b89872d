namespace KvActors.Store.Partitioning;

/// <summary>The contiguous slots <see cref="First"/>..<see cref="Last"/> (both inclusive) one partition owns, as CLUSTER SLOTS lists them.</summary>
public readonly record struct SlotRange(int First, int Last)
{
    public int Count => Last - First + 1;

    public bool Contains(int slot) => slot >= First && slot <= Last;

    public override string ToString() => $"{First}-{Last}";
}
