using System.Runtime.InteropServices;

namespace KvActors.Storage.Wal;

/// <summary>
/// fsync on a directory, so a file created, renamed or deleted in it survives a power failure. .NET has no API for
/// it; on Linux and macOS we open the directory read-only and fsync the descriptor through libc. Windows has no
/// equivalent (NTFS journals metadata), so it is a no-op there.
/// </summary>
internal static partial class DirectorySync
{
    public static void Fsync(string directory)
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return;
        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (FsyncFd(fd) != 0) throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncFd(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
