#!/usr/bin/perl
# Another local user's fake warden: impostor.pl SOCKET LOG
# Listens on SOCKET, appends every line it receives to LOG and answers each with an "ok" that claims
# the gateway is down as asked. Prints "listening" once bound, then serves until killed.
use strict;
use warnings;
use IO::Socket::UNIX;
use Socket qw(SOCK_STREAM);
$SIG{PIPE} = 'IGNORE';
$| = 1;
my ($path, $log) = @ARGV;
my $srv = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $path, Listen => 16) or die "bind $path: $!";
chmod 0666, $path;
print "listening\n";
while (my $c = $srv->accept()) {
    while (my $line = <$c>) {
        open(my $fh, '>>', $log) or die "open $log: $!";
        print $fh $line;
        close $fh;
        print $c '{"v":1,"ok":true,"result":{"service":"gateway","desired":"down","observed":"down","pid":null,'
            . '"healthy":true,"intent":{"state":"down","source":"user"},"applied":true,"message":"stopped"}}' . "\n";
    }
    close $c;
}
