// Each spec runs several clustered actor systems on a 2-core machine; running spec classes in
// parallel starves their failure detectors (false unreachability, then downing). One at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
