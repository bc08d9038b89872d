// The cluster specs run three clustered actor systems on a 2-core machine; running classes in parallel
// starves their failure detectors. One class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
