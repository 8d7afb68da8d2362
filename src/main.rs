use clap::Parser;

#[actix_web::main]
async fn main() {
    let cli = hirecast::cli::Cli::parse();
    if let Err(e) = hirecast::cli::run(cli).await {
        match e.downcast_ref::<hirecast::cli::Fix>() {
            Some(fix) => eprintln!("error: {fix}"),
            None => eprintln!("error: {e:#}"),
        }
        std::process::exit(2);
    }
}
